/* cli.h: the subcommands of `clmrs`, one file each, dispatched by main.c. */
#pragma once

#include <glib.h>
#include <stdio.h>

#include "device.h"
#include "store.h"

G_BEGIN_DECLS

/* Exit statuses shared by every subcommand (documented in `clmrs --help`). */
enum {
  CLMRS_EXIT_OK = 0,
  CLMRS_EXIT_FAILURE = 1,   /* the command could not do its work: I/O, database, network */
  CLMRS_EXIT_USAGE = 2,     /* bad options or arguments */
  CLMRS_EXIT_DATA = 3,      /* it ran, but some input was invalid (each reported) */
};

typedef struct {
  const char   *db_path;    /* --db, or NULL */
  const char   *person;     /* --person: who signs in (an id or a name), or NULL */
  int           pin_fd;     /* --pin-fd: PINs are read from it, one a line; -1: the terminal */
  FILE         *pin_in;     /* pin_fd opened, on first use */
  ClmrsDataKey *key;        /* the data key once someone signed in (or a device was made) */
} ClmrsCli;

/* Set (to 1) in the tests' environment only: a plain device database
 * opens without being migrated, as before encryption. */
#define CLMRS_TEST_PLAIN_DEVICE_ENV "CLMRS_TEST_PLAIN_DEVICE"

typedef int (*ClmrsCommandFunc) (ClmrsCli *cli,
                                 int       argc,
                                 char    **argv);

/* Prints "clmrs: " + message on stderr; returns @status for `return`. */
int clmrs_cli_fail (int         status,
                    const char *format,
                    ...) G_GNUC_PRINTF (2, 3);

/* Parses @entries from argv[1..]; on a bad option prints the error and the
 * command's help on stderr and returns FALSE. */
gboolean clmrs_cli_parse (const char    *command,
                          const char    *parameter_string,
                          const char    *description,
                          GOptionEntry  *entries,
                          int           *argc,
                          char        ***argv);

/* The --db store of a command that reads it; an error when no file is
 * there (only init, demo and enroll make a new database). */
ClmrsStore *clmrs_cli_open_existing (ClmrsCli  *cli,
                                     GError   **error);

/* The next PIN: a line of --pin-fd, or asked on the terminal with
 * @prompt and no echo.  NULL with @error when there is neither. */
char       *clmrs_cli_read_pin      (ClmrsCli   *cli,
                                     const char *prompt,
                                     GError    **error);
/* A new PIN: read as clmrs_cli_read_pin() (twice on a terminal, the same
 * both times) and checked against the policy (clmrs_keyring_check_new_pin()). */
char       *clmrs_cli_read_new_pin  (ClmrsCli   *cli,
                                     const char *prompt,
                                     GError    **error);
/* Creating a device: its people's keyring entries, with cli->key. */
gboolean    clmrs_cli_write_keyring (ClmrsCli   *cli,
                                     const ClmrsDevicePerson *people,
                                     guint       n_people,
                                     GError    **error);
/* Calls @func on each non-blank line of stdin (trimmed, NUL-terminated;
 * @line counts every line from 1); a line with a NUL byte is reported as
 * bad.  Sets *@any_bad when @func or that check said a line was bad.
 * Returns CLMRS_EXIT_OK, or CLMRS_EXIT_FAILURE when stdin cannot be read. */
typedef gboolean (*ClmrsCliLineFunc) (const char *text,
                                      gsize       length,
                                      guint64     line,
                                      gpointer    user_data);
int         clmrs_cli_each_line     (const char       *command,
                                     ClmrsCliLineFunc  func,
                                     gpointer          user_data,
                                     gboolean         *any_bad);
/* Writes {"error":{"line":N,"field":NAME|null,"message":...}} on @out and
 * "clmrs COMMAND: line N: message" on stderr. */
void        clmrs_cli_print_error_line (FILE       *out,
                                        const char *command,
                                        guint64     line,
                                        const char *field,
                                        const char *message);

/* @text cut or padded to @width characters, for table columns. */
char       *clmrs_cli_column        (const char *text,
                                     guint       width);

/* One line a command, in the order of main.c's table. */
int clmrs_cmd_init     (ClmrsCli *cli, int argc, char **argv);
int clmrs_cmd_demo     (ClmrsCli *cli, int argc, char **argv);
int clmrs_cmd_indicators (ClmrsCli *cli, int argc, char **argv);
int clmrs_cmd_due      (ClmrsCli *cli, int argc, char **argv);
int clmrs_cmd_households (ClmrsCli *cli, int argc, char **argv);
int clmrs_cmd_enrol   (ClmrsCli *cli, int argc, char **argv);
int clmrs_cmd_sync     (ClmrsCli *cli, int argc, char **argv);
int clmrs_cmd_queue    (ClmrsCli *cli, int argc, char **argv);
int clmrs_cmd_export   (ClmrsCli *cli, int argc, char **argv);
int clmrs_cmd_classify (ClmrsCli *cli, int argc, char **argv);
int clmrs_cmd_people   (ClmrsCli *cli, int argc, char **argv);
int clmrs_cmd_add_person (ClmrsCli *cli, int argc, char **argv);
int clmrs_cmd_recover  (ClmrsCli *cli, int argc, char **argv);
int clmrs_cmd_rekey    (ClmrsCli *cli, int argc, char **argv);
int clmrs_cmd_purge    (ClmrsCli *cli, int argc, char **argv);
int clmrs_cmd_case     (ClmrsCli *cli, int argc, char **argv);
int clmrs_cmd_visit    (ClmrsCli *cli, int argc, char **argv);
int clmrs_cmd_forms (ClmrsCli  *cli,
                     int        argc,
                     char     **argv);

G_END_DECLS
