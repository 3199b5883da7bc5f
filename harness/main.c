/*
 * main.c — the `faultline` command; everything is in cli_*.c (cli.h).
 */
#include "cli/fl_cli.h"

#include <stdio.h>

int main(int argc, char **argv) { return fl_cli_main(argc, argv, stdout, stderr); }
