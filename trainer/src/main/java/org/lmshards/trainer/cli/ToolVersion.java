package org.lmshards.trainer.cli;

import org.lmshards.core.LmShardsVersion;
import picocli.CommandLine;

/** Supplies {@code --version} from the build. */
final class ToolVersion implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"lmshards " + LmShardsVersion.get()};
    }
}
