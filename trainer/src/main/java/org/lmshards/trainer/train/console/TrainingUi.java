package org.lmshards.trainer.train.console;

import java.lang.reflect.InvocationTargetException;
import org.deeplearning4j.core.storage.StatsStorage;
import org.deeplearning4j.core.storage.StatsStorageRouter;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DL4J's own training UI ({@code deeplearning4j-ui}, vert.x) for live monitoring of a run. The UI
 * is only on the classpath in the optional {@code -Pcpu,ui} (or {@code -Pcuda,ui}) build, so its
 * classes are reached by reflection: the default build compiles and runs without them.
 */
public final class TrainingUi implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingUi.class);
    /** DL4J reads the UI port from this system property (DL4JSystemProperties.UI_SERVER_PORT_PROPERTY). */
    static final String PORT_PROPERTY = "org.deeplearning4j.ui.port";
    private static final String UI_SERVER = "org.deeplearning4j.ui.api.UIServer";
    private static final String IN_MEMORY_STORAGE = "org.deeplearning4j.ui.model.storage.InMemoryStatsStorage";
    private static final String STATS_LISTENER = "org.deeplearning4j.ui.model.stats.StatsListener";

    private final Object server;
    private final StatsStorage storage;
    private final int port;

    private TrainingUi(Object server, StatsStorage storage, int port) {
        this.server = server;
        this.storage = storage;
        this.port = port;
    }

    /** Whether this build holds the UI classes ({@code mvn -Pcpu,ui package}). */
    public static boolean available() {
        try {
            Class.forName(UI_SERVER, false, TrainingUi.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** Starts the UI server on {@code port} (0 is not supported by DL4J) with an in-memory stats storage attached. */
    public static TrainingUi start(int port) {
        System.setProperty(PORT_PROPERTY, Integer.toString(port));
        try {
            Class<?> uiServer = Class.forName(UI_SERVER);
            Object server = uiServer.getMethod("getInstance").invoke(null);
            StatsStorage storage = (StatsStorage) Class.forName(IN_MEMORY_STORAGE).getConstructor().newInstance();
            uiServer.getMethod("attach", StatsStorage.class).invoke(server, storage);
            int actual = (Integer) uiServer.getMethod("getPort").invoke(server);
            return new TrainingUi(server, storage, actual);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("cannot start DL4J's training UI on port " + port + ": "
                    + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("DL4J's training UI classes are missing or changed: " + e, e);
        }
    }

    /** The port the server listens on. */
    public int port() {
        return port;
    }

    /** Adds a stats listener (every iteration) feeding this UI to the network's listeners. */
    public void attachTo(MultiLayerNetwork net) {
        try {
            TrainingListener listener = (TrainingListener) Class.forName(STATS_LISTENER)
                    .getConstructor(StatsStorageRouter.class, int.class).newInstance(storage, 1);
            net.addListeners(listener);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create DL4J's StatsListener: " + e, e);
        }
    }

    /** Stops the server (its vert.x threads would otherwise outlive the run). */
    @Override
    public void close() {
        try {
            Class.forName(UI_SERVER).getMethod("stop").invoke(server);
        } catch (ReflectiveOperationException e) {
            LOG.warn("stopping DL4J's training UI failed: {}", e.toString());
        }
    }
}
