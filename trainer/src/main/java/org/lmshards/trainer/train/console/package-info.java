/** What a run shows while it trains: the progress bar or lines, and DL4J's optional training UI. */
package org.lmshards.trainer.train.console;
