/* cli-run.h: running $CLMRS_CLI from a test, stdin given, stdout and stderr kept. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Runs $CLMRS_CLI with @args (NULL-terminated), @input on stdin; returns
 * its exit status, with what it wrote in *@out and *@err. */
int run_cli (const char * const  *args,
             const char          *input,
             char               **out,
             char               **err);

G_END_DECLS
