/* main.c: `clmrs`, the headless command over the CLMRS core. */
#define G_LOG_DOMAIN "clmrs"

#include "cli.h"

#include "client.h"
#include "cryptvfs.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <locale.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <termios.h>
#include <unistd.h>

typedef struct {
  const char       *name;
  ClmrsCommandFunc  func;
  gboolean          needs_db;
  const char       *summary;
} Command;

static int
cmd_version (ClmrsCli  *cli,
             int        argc,
             char     **argv)
{
  printf ("clmrs %s\n", CLMRS_VERSION);
  return CLMRS_EXIT_OK;
}

/* One line a command, kept in the order `--help` lists them. */
static const Command commands[] = {
  { "init",     clmrs_cmd_init,     TRUE,  "create the device database (and its first community and people)" },
  { "demo",     clmrs_cmd_demo,     TRUE,  "fill a new database with realistic synthetic data" },
  { "due",      clmrs_cmd_due,      TRUE,  "list the follow-ups due, most overdue first" },
  { "households", clmrs_cmd_households, TRUE, "find households by the head's name" },
  { "enroll",   clmrs_cmd_enrol,   TRUE,  "enrol this device with a server (--server URL --code CODE)" },
  { "people",   clmrs_cmd_people,   TRUE,  "list who can sign in on this device (no PIN needed)" },
  { "add-person", clmrs_cmd_add_person, TRUE, "let a colleague sign in on this device (they choose a PIN)" },
  { "recover",  clmrs_cmd_recover,  TRUE,  "support: a new PIN with the recovery secret key (--server-key FILE)" },
  { "rekey",    clmrs_cmd_rekey,    TRUE,  "a new data key for the database, every keyring entry resealed to it" },
  { "sync",     clmrs_cmd_sync,     TRUE,  "push the queue to the server and pull this device's updates" },
  { "queue",    clmrs_cmd_queue,    TRUE,  "show the unsynced records by facilitator" },
  { "purge",    clmrs_cmd_purge,    TRUE,  "forget children whose case closed long ago, once the server has them (--dry-run)" },
  { "export",   clmrs_cmd_export,   TRUE,  "export finalised records: --ndjson envelopes or --csv DIR" },
  { "indicators", clmrs_cmd_indicators, TRUE, "the CLMRS indicators: --json [--from DATE] [--to DATE]" },
  { "visit",    clmrs_cmd_visit,    TRUE,  "one visit from answers in a JSON file, with the newest form and rules" },
  { "classify", clmrs_cmd_classify, FALSE, "classify child profiles (JSON lines) with a rule set" },
  { "case", clmrs_cmd_case, FALSE, "a child's case from their history (JSON lines), with its reasons" },
  { "version",  cmd_version,        FALSE, "print the version" },
  { "forms",    clmrs_cmd_forms,    FALSE, "check ODK XForms questionnaires; list the device's forms and rule sets" },
};

static void
print_help (FILE *out)
{
  fprintf (out,
           "Usage: clmrs [--db PATH] COMMAND [OPTIONS...]\n"
           "\n"
           "The headless face of the CLMRS field system: the device's store,\n"
           "questionnaires, child labour rules, cases and indicators.\n"
           "\n"
           "Commands:\n");
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-12s %s%s\n", commands[i].name, commands[i].summary,
             commands[i].needs_db ? " (needs --db)" : "");
  fprintf (out,
           "\n"
           "Options:\n"
           "  --db PATH     the device database (SQLite, encrypted); also $CLMRS_DB\n"
           "  --person WHO  who signs in: an id or a name of `clmrs people`\n"
           "  --pin-fd N    read PINs from file descriptor N, one a line (scripts);\n"
           "                else they are asked on the terminal, never taken from\n"
           "                arguments or the environment\n"
           "  --help        this help; COMMAND --help for a command's own\n"
           "\n"
           "Exit status:\n"
           "  0  success\n"
           "  1  failure: the command could not do its work (database, I/O, network)\n"
           "  2  usage: unknown command, bad option or argument\n"
           "  3  data: the command ran but some input was invalid (each reported)\n");
}

int
clmrs_cli_fail (int         status,
                const char *format,
                ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "clmrs: %s\n", message);
  return status;
}

void
clmrs_cli_print_error_line (FILE       *out,
                            const char *command,
                            guint64     line,
                            const char *field,
                            const char *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "line");
  json_builder_add_int_value (builder, (gint64) line);
  json_builder_set_member_name (builder, "field");
  if (field != NULL)
    json_builder_add_string_value (builder, field);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  fprintf (out, "%s\n", text);
  fprintf (stderr, "clmrs %s: line %" G_GUINT64_FORMAT ": %s\n", command, line, message);
}

int
clmrs_cli_each_line (const char       *command,
                     ClmrsCliLineFunc  func,
                     gpointer          user_data,
                     gboolean         *any_bad)
{
  char *buffer = NULL;
  size_t capacity = 0;
  ssize_t length;
  guint64 line = 0;

  while ((length = getline (&buffer, &capacity, stdin)) >= 0)
    {
      gsize n = (gsize) length;

      line++;
      while (n > 0 && (buffer[n - 1] == '\n' || buffer[n - 1] == '\r'))
        n--;
      buffer[n] = '\0';
      if (memchr (buffer, '\0', n) != NULL)
        {
          clmrs_cli_print_error_line (stdout, command, line, NULL, "contains a NUL byte");
          *any_bad = TRUE;
          continue;
        }
      if (g_strstrip (buffer)[0] == '\0')
        continue;
      if (!func (buffer, strlen (buffer), line, user_data))
        *any_bad = TRUE;
    }
  if (ferror (stdin))
    {
      int saved = errno;
      free (buffer);
      return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "%s: cannot read stdin: %s", command,
                             g_strerror (saved));
    }
  free (buffer);
  return CLMRS_EXIT_OK;
}

/* @text cut or padded to @width characters (not bytes: "Tiémoko" is 7
 * wide), for the columns of a table. */
char *
clmrs_cli_column (const char *text,
                  guint       width)
{
  glong length;
  GString *out;

  if (text == NULL)
    text = "";
  length = g_utf8_strlen (text, -1);
  if (length > (glong) width)
    return g_utf8_substring (text, 0, width);
  out = g_string_new (text);
  for (glong i = length; i < (glong) width; i++)
    g_string_append_c (out, ' ');
  return g_string_free (out, FALSE);
}

/* One line of @in without its end of line, or NULL at the end. */
static char *
read_line (FILE *in)
{
  g_autoptr(GString) line = g_string_new (NULL);
  int c;

  while ((c = fgetc (in)) != EOF && c != '\n')
    g_string_append_c (line, (char) c);
  if (c == EOF && line->len == 0)
    return NULL;
  if (line->len > 0 && line->str[line->len - 1] == '\r')
    g_string_truncate (line, line->len - 1);
  return g_string_free (g_steal_pointer (&line), FALSE);
}

char *
clmrs_cli_read_pin (ClmrsCli   *cli,
                    const char *prompt,
                    GError    **error)
{
  struct termios saved, quiet;
  FILE *tty;
  char *pin;

  if (cli->pin_fd >= 0)
    {
      if (cli->pin_in == NULL)
        {
          if ((cli->pin_in = fdopen (cli->pin_fd, "r")) == NULL)
            {
              int saved_errno = errno;

              g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                           "--pin-fd %d: %s", cli->pin_fd, g_strerror (saved_errno));
              return NULL;
            }
          /* unbuffered: what follows the PIN lines stays unread (--pin-fd
             0 with the command's own data after them on stdin) */
          setvbuf (cli->pin_in, NULL, _IONBF, 0);
        }
      pin = read_line (cli->pin_in);
      if (pin == NULL)
        g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                     "--pin-fd %d ended before the PIN asked for (%s)", cli->pin_fd, prompt);
      return pin;
    }
  tty = fopen ("/dev/tty", "r+");
  if (tty == NULL)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                   "no terminal to ask the PIN on: give --pin-fd N");
      return NULL;
    }
  fprintf (tty, "%s: ", prompt);
  fflush (tty);
  if (tcgetattr (fileno (tty), &saved) == 0)
    {
      quiet = saved;
      quiet.c_lflag &= ~(tcflag_t) ECHO;
      tcsetattr (fileno (tty), TCSAFLUSH, &quiet);
    }
  pin = read_line (tty);
  tcsetattr (fileno (tty), TCSAFLUSH, &saved);
  fputc ('\n', tty);
  fclose (tty);
  if (pin == NULL)
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "no PIN given");
  return pin;
}

char *
clmrs_cli_read_new_pin (ClmrsCli   *cli,
                        const char *prompt,
                        GError    **error)
{
  g_autofree char *pin = clmrs_cli_read_pin (cli, prompt, error);

  if (pin == NULL || !clmrs_keyring_check_new_pin (pin, error))
    return NULL;
  if (cli->pin_fd < 0)
    {
      g_autofree char *again = clmrs_cli_read_pin (cli, "The same PIN again", error);

      if (again == NULL)
        return NULL;
      if (!g_str_equal (again, pin))
        {
          g_set_error_literal (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "the two PINs differ");
          return NULL;
        }
    }
  return g_steal_pointer (&pin);
}

gboolean
clmrs_cli_write_keyring (ClmrsCli                *cli,
                         const ClmrsDevicePerson *people,
                         guint                    n_people,
                         GError                 **error)
{
  return clmrs_device_write_keyring (cli->db_path, cli->key, NULL, people, n_people, error);
}

/* The first sign-in of someone the server gave a one-time PIN, with
 * nobody to add them: the one-time PIN, then their own (checked before
 * the server spends the one-time PIN), and the server's answer opens the
 * key (docs/security-at-rest.md). */
static ClmrsStore *
first_sign_in (ClmrsCli    *cli,
               const char  *person,
               const char  *url,
               const char  *device_id,
               const char  *ca_pem,
               GError     **error)
{
  g_autofree char *one_time = NULL;
  g_autofree char *pin = NULL;
  guint8 secret[CLMRS_KEYRING_KEY_BYTES];
  ClmrsStore *store = NULL;

  fprintf (stderr, "clmrs: first sign-in on this device: the one-time PIN from the administrator, "
                   "then your own PIN (the server at %s is asked)\n", url);
  one_time = clmrs_cli_read_pin (cli, "One-time PIN", error);
  if (one_time == NULL || (pin = clmrs_cli_read_new_pin (cli, "Your new PIN (6 digits or more)", error)) == NULL)
    goto out;
  if (g_str_equal (one_time, pin))
    {
      g_set_error_literal (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_INVALID,
                           "choose a PIN other than the one-time PIN");
      goto out;
    }
  if (!clmrs_sync_first_sign_in (url, ca_pem, device_id, person, one_time, secret, error))
    goto out;
  store = clmrs_device_first_sign_in (cli->db_path, person, one_time, pin, secret, &cli->key, error);
  sodium_memzero (secret, sizeof secret);

out:
  if (one_time != NULL)
    sodium_memzero (one_time, strlen (one_time));
  if (pin != NULL)
    sodium_memzero (pin, strlen (pin));
  return store;
}

/* Signs --person in on a device database: an encrypted one is unlocked, a
 * plain one (made before encryption) is migrated with the old PIN; a
 * person listed for a first sign-in signs in with the one-time PIN. */
static ClmrsStore *
sign_in (ClmrsCli  *cli,
         GError   **error)
{
  g_autofree char *person = NULL;
  g_autofree char *pin = NULL;
  g_autoptr(GError) local = NULL;
  ClmrsStore *store;

  if (!clmrs_device_has_keyring (cli->db_path))
    {
      /* a plain database: its first sign-in encrypts it */
      pin = clmrs_cli_read_pin (cli, "PIN", error);
      if (pin == NULL)
        return NULL;
      fprintf (stderr, "clmrs: %s is not encrypted yet: signing in encrypts it\n", cli->db_path);
      store = clmrs_device_migrate (cli->db_path, cli->person, pin, NULL, &cli->key, &local);
      if (store == NULL && g_error_matches (local, CLMRS_DEVICE_ERROR, CLMRS_DEVICE_ERROR_NEW_PIN))
        {
          g_autofree char *new_pin = NULL;

          fprintf (stderr, "clmrs: %s\n", local->message);
          g_clear_error (&local);
          new_pin = clmrs_cli_read_new_pin (cli, "New PIN (6 digits or more)", error);
          if (new_pin == NULL)
            return NULL;
          store = clmrs_device_migrate (cli->db_path, cli->person, pin, new_pin, &cli->key, &local);
        }
      if (store == NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return NULL;
        }
      return store;
    }
  person = clmrs_device_find_person (cli->db_path, cli->person, error);
  if (person == NULL)
    return NULL;
  {
    g_autofree char *url = NULL, *device_id = NULL, *ca_pem = NULL;

    if (clmrs_device_arrival_server (cli->db_path, person, &url, &device_id, &ca_pem, NULL))
      return first_sign_in (cli, person, url, device_id, ca_pem, error);
  }
  pin = clmrs_cli_read_pin (cli, "PIN", error);
  if (pin == NULL)
    return NULL;
  return clmrs_device_sign_in (cli->db_path, person, pin, &cli->key, error);
}

/* Opens the --db database of a command that reads it: a path with no
 * file there is a mistyped path, never a new empty device ("nothing
 * waits to be synced" would be a lie). */
ClmrsStore *
clmrs_cli_open_existing (ClmrsCli  *cli,
                         GError   **error)
{
  if (g_strcmp0 (cli->db_path, ":memory:") != 0 && !g_file_test (cli->db_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                   "no database at %s (make one with: clmrs --db %s init, or demo)",
                   cli->db_path, cli->db_path);
      return NULL;
    }
  if (cli->person != NULL)
    return sign_in (cli, error);
  if (clmrs_device_has_keyring (cli->db_path) || clmrs_cryptvfs_is_encrypted (cli->db_path))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_PERM,
                   "%s is encrypted: sign in with --person ID (clmrs --db %s people lists who can)",
                   cli->db_path, cli->db_path);
      return NULL;
    }
  if (g_strcmp0 (cli->db_path, ":memory:") != 0 && g_strcmp0 (g_getenv (CLMRS_TEST_PLAIN_DEVICE_ENV), "1") != 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_PERM,
                   "%s is not encrypted yet: sign in once with --person ID to encrypt it",
                   cli->db_path);
      return NULL;
    }
  return clmrs_store_open (cli->db_path, error);
}

gboolean
clmrs_cli_parse (const char    *command,
                 const char    *parameter_string,
                 const char    *description,
                 GOptionEntry  *entries,
                 int           *argc,
                 char        ***argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *prgname = g_strdup_printf ("clmrs %s", command);

  /* usage then reads "clmrs COMMAND [OPTION…] PARAMETERS" */
  g_set_prgname (prgname);
  context = g_option_context_new (parameter_string);
  g_option_context_set_summary (context, description);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);
      fprintf (stderr, "clmrs %s: %s\n\n%s", command, error->message, help);
      return FALSE;
    }
  return TRUE;
}

static gboolean
fcntl_ok (int fd)
{
  return fcntl (fd, F_GETFD) != -1;
}

int
main (int    argc,
      char **argv)
{
  ClmrsCli cli = { .db_path = g_getenv ("CLMRS_DB"), .pin_fd = -1 };
  int i = 1;
  int status;

  setlocale (LC_ALL, "");
  /* no core dump may write the data key, or decrypted pages, to disk */
  prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);

  for (; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--db") && i + 1 < argc)
        cli.db_path = argv[++i];
      else if (g_str_has_prefix (argv[i], "--db="))
        cli.db_path = argv[i] + strlen ("--db=");
      else if (g_str_equal (argv[i], "--person") && i + 1 < argc)
        cli.person = argv[++i];
      else if (g_str_equal (argv[i], "--pin-fd") && i + 1 < argc)
        {
          char *end = NULL;
          gint64 fd = g_ascii_strtoll (argv[++i], &end, 10);

          if (end == argv[i] || *end != '\0' || fd < 0 || fd > G_MAXINT || fcntl_ok ((int) fd) == FALSE)
            return clmrs_cli_fail (CLMRS_EXIT_USAGE, "--pin-fd: '%s' is not an open file descriptor", argv[i]);
          cli.pin_fd = (int) fd;
        }
      else if (g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h"))
        {
          print_help (stdout);
          return CLMRS_EXIT_OK;
        }
      else if (argv[i][0] == '-')
        {
          fprintf (stderr, "clmrs: unknown option %s\n\n", argv[i]);
          print_help (stderr);
          return CLMRS_EXIT_USAGE;
        }
      else
        break;
    }

  if (i >= argc)
    {
      print_help (stderr);
      return CLMRS_EXIT_USAGE;
    }

  for (gsize c = 0; c < G_N_ELEMENTS (commands); c++)
    {
      if (!g_str_equal (commands[c].name, argv[i]))
        continue;
      if (commands[c].needs_db && cli.db_path == NULL)
        {
          gboolean wants_help = FALSE;
          for (int j = i + 1; j < argc; j++)
            wants_help |= g_str_equal (argv[j], "--help") || g_str_equal (argv[j], "-h");
          if (!wants_help)
            return clmrs_cli_fail (CLMRS_EXIT_USAGE, "%s needs --db PATH (or $CLMRS_DB)", argv[i]);
        }
      status = commands[c].func (&cli, argc - i, argv + i);
      if (cli.pin_in != NULL)
        fclose (cli.pin_in);
      if (cli.db_path != NULL)
        clmrs_device_sign_out (cli.db_path);
      g_clear_pointer (&cli.key, clmrs_data_key_free);
      return status;
    }

  fprintf (stderr, "clmrs: unknown command '%s'\n\n", argv[i]);
  print_help (stderr);
  return CLMRS_EXIT_USAGE;
}
