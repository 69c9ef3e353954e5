package org.lmshards.trainer.cli;

import java.io.PrintStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.lmshards.trainer.train.loop.StopRequest;

/**
 * Turns the first SIGINT (Ctrl-C) or SIGTERM during {@code train} into a {@link StopRequest}:
 * the current batch finishes, a checkpoint is written and the process exits 128 + the signal
 * number (130, 143). A second signal halts at once with that code, for when even a batch is
 * too long to wait for. The JVM's own handlers (shutdown, exit at once) come back on close.
 *
 * <p>{@code sun.misc.Signal} (module jdk.unsupported, the only signal API of the JDK) is reached
 * by reflection: compiled against directly, every use is a javac warning that no annotation
 * suppresses.
 */
final class StopOnSignals implements AutoCloseable {
    private final List<Object> signals = new ArrayList<>();
    private final List<Object> previous = new ArrayList<>();
    private final Method handle;

    private StopOnSignals(Method handle) {
        this.handle = handle;
    }

    static StopOnSignals install(StopRequest stop, PrintStream err) {
        Class<?> signalType;
        Class<?> handlerType;
        Method handle;
        Method number;
        Method name;
        try {
            signalType = Class.forName("sun.misc.Signal");
            handlerType = Class.forName("sun.misc.SignalHandler");
            handle = signalType.getMethod("handle", signalType, handlerType);
            number = signalType.getMethod("getNumber");
            name = signalType.getMethod("getName");
        } catch (ReflectiveOperationException e) {
            return new StopOnSignals(null); // not this JDK: the JVM's default behaviour stays
        }
        InvocationHandler onSignal = (proxy, method, args) -> {
            if (!method.getName().equals("handle")) {
                return method.getName().equals("equals") ? proxy == args[0]
                        : method.getName().equals("hashCode") ? System.identityHashCode(proxy) : "StopOnSignals";
            }
            String signal = "SIG" + name.invoke(args[0]);
            int code = 128 + (Integer) number.invoke(args[0]);
            if (stop.requested()) {
                err.println("\nsecond " + signal + ": aborting without a checkpoint");
                err.flush();
                Runtime.getRuntime().halt(code);
            }
            stop.request(signal, code);
            err.println("\n" + signal + ": stopping after the current batch and writing a checkpoint ("
                    + (signal.equals("SIGINT") ? "press Ctrl-C" : "send " + signal) + " again to abort at once)");
            err.flush();
            return null;
        };
        Object handler = Proxy.newProxyInstance(StopOnSignals.class.getClassLoader(), new Class<?>[] {handlerType}, onSignal);
        StopOnSignals installed = new StopOnSignals(handle);
        for (String signalName : new String[] {"INT", "TERM"}) {
            try {
                Object signal = signalType.getConstructor(String.class).newInstance(signalName);
                installed.previous.add(handle.invoke(null, signal, handler));
                installed.signals.add(signal);
            } catch (ReflectiveOperationException | IllegalArgumentException e) {
                // the JVM reserves the signal (-Xrs): keep its default behaviour
            }
        }
        return installed;
    }

    @Override
    public void close() {
        for (int i = 0; i < signals.size(); i++) {
            try {
                handle.invoke(null, signals.get(i), previous.get(i));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot restore the handler of " + signals.get(i), e);
            }
        }
    }
}
