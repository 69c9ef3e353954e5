package org.lmshards.trainer.cli;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine;

/**
 * Reads an enum option written the way the CLI spells values ({@code one-cycle} for
 * {@code ONE_CYCLE}), naming the accepted values when the text matches none.
 */
abstract class EnumOption implements CommandLine.ITypeConverter<Enum<?>> {
    private final Class<? extends Enum<?>> type;

    protected EnumOption(Class<? extends Enum<?>> type) {
        this.type = type;
    }

    @Override
    public Enum<?> convert(String value) {
        for (Enum<?> e : type.getEnumConstants()) {
            if (spelling(e).equals(value.toLowerCase(Locale.ROOT))) {
                return e;
            }
        }
        throw new CommandLine.TypeConversionException("'" + value + "' is not one of "
                + Arrays.stream(type.getEnumConstants()).map(EnumOption::spelling).collect(Collectors.joining(", ")));
    }

    static String spelling(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static final class Clip extends EnumOption {
        Clip() {
            super(org.lmshards.trainer.model.ClipScope.class);
        }
    }

    static final class Schedule extends EnumOption {
        Schedule() {
            super(org.lmshards.trainer.model.LrSchedule.class);
        }
    }

    static final class Init extends EnumOption {
        Init() {
            super(org.lmshards.trainer.model.InitScheme.class);
        }
    }

    static final class Loss extends EnumOption {
        Loss() {
            super(org.lmshards.trainer.model.LossScale.class);
        }
    }
}
