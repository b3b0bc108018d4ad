package dev.vip.cli;

import picocli.CommandLine.Option;

/** How results are shown: stdout carries results only, diagnostics go to stderr. */
final class OutputOptions {
    @Option(names = {"-q", "--quiet"}, description = "Print no result; the exit code says it all.")
    boolean quiet;

    @Option(names = "--json", description = "Print the result as one JSON object on one line.")
    boolean json;

    @Option(names = {"-v", "--verbose"}, description = "On error, also print the stack trace.")
    boolean verbose;
}
