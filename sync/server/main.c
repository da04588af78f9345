/* main.c: `clmrs-server`, the CLMRS sync server and its administration commands. */
#define G_LOG_DOMAIN "clmrs-server"

#include "server.h"
#include "device.h"
#include "keyring.h"
#include "util.h"

#include <glib/gstdio.h>
#include <sodium.h>

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char exit_help[] =
  "Exit status:\n"
  "  0  success\n"
  "  1  failure: database, I/O or network\n"
  "  2  usage: unknown command, bad option or argument\n"
  "  3  data: the input was invalid (a file to publish, an unknown device or person)\n";

static int
usage_fail (GOptionContext *context,
            const char     *format,
            ...) G_GNUC_PRINTF (2, 3);

static int
usage_fail (GOptionContext *context,
            const char     *format,
            ...)
{
  g_autofree char *message = NULL;
  g_autofree char *help = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("clmrs-server: %s\n", message);
  if (context != NULL)
    {
      help = g_option_context_get_help (context, TRUE, NULL);
      g_printerr ("\n%s", help);
    }
  return SERVER_EXIT_USAGE;
}

static int
error_status (const GError *error)
{
  if (error->domain == SERVER_ERROR
      && (error->code == SERVER_ERROR_INVALID_FILE || error->code == SERVER_ERROR_UNKNOWN_DEVICE ||
          error->code == SERVER_ERROR_NOT_FOUND))
    return SERVER_EXIT_DATA;
  if (error->domain == SERVER_ERROR && error->code == SERVER_ERROR_BAD_REQUEST)
    return SERVER_EXIT_USAGE;
  return SERVER_EXIT_FAILURE;
}

/* The database of a command that reads it (revoke-device, export, stats,
 * indicators): a path with no file is a mistake, not an empty server.  A
 * PostgreSQL database must exist already: connecting says when it does not. */
static ServerDb *
open_existing (const char  *path,
               GError     **error)
{
  if (!server_store_is_uri (path) && !g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                   "no server database at %s (serve or enroll-code makes one)", path);
      return NULL;
    }
  return server_db_open (path, error);
}

/* Progress of a long update of the derived store, on stderr. */
static void
print_progress (guint64  done,
                gpointer user_data)
{
  static guint64 shown;

  if (done >= shown + 100000)
    {
      shown = done;
      g_printerr ("clmrs-server: %s: %" G_GUINT64_FORMAT " records applied\n", (const char *) user_data, done);
    }
}

/* After an administrator changed records already applied: the derived
 * store is rebuilt now, not at some device's next push.  The change
 * itself is committed: a failure here is told, and the next update
 * rebuilds it. */
static void
update_derived (ServerDb   *db,
                const char *name)
{
  g_autoptr(GError) error = NULL;

  if (!server_derived_update (db, TRUE, FALSE, print_progress, (gpointer) name, NULL, NULL, &error))
    g_printerr ("clmrs-server: %s: done, but the indicators were not updated (the next update "
                "will): %s\n", name, error->message);
}

static GOptionContext *
make_context (const char   *parameters,
              const char   *summary,
              GOptionEntry *entries)
{
  GOptionContext *context = g_option_context_new (parameters);

  g_option_context_set_summary (context, summary);
  g_option_context_set_description (context, exit_help);
  g_option_context_add_main_entries (context, entries, NULL);
  return context;
}

typedef struct {
  const char *suffix;
  guint64     unit;
} Unit;

/* Parses a positive whole number with one of @units' suffixes (or none:
 * a unit of 1), no more than @max_value before the unit is applied and
 * @max_total after. */
static gboolean
parse_with_unit (const char *text,
                 const Unit *units,
                 gboolean    any_case,
                 guint64     max_value,
                 guint64     max_total,
                 guint64    *out)
{
  char *end = NULL;
  guint64 value;
  guint64 unit;

  if (text == NULL || !g_ascii_isdigit (*text))
    return FALSE;
  value = g_ascii_strtoull (text, &end, 10);
  unit = *end == '\0' ? 1 : 0;
  for (const Unit *u = units; unit == 0 && u->suffix != NULL; u++)
    if (any_case ? g_ascii_strcasecmp (end, u->suffix) == 0 : strcmp (end, u->suffix) == 0)
      unit = u->unit;
  if (unit == 0 || value == 0 || value > max_value || value > max_total / unit)
    return FALSE;
  *out = value * unit;
  return TRUE;
}

/* Parses a size like 4194304, 512K, 4M, 1G. */
static gboolean
parse_size (const char *text,
            gsize      *out)
{
  static const Unit units[] = {
    { "k", 1024 }, { "kib", 1024 }, { "m", 1024 * 1024 }, { "mib", 1024 * 1024 },
    { "g", 1024 * 1024 * 1024 }, { "gib", 1024 * 1024 * 1024 }, { NULL, 0 },
  };
  guint64 value;

  if (!parse_with_unit (text, units, TRUE, G_MAXUINT64, G_MAXSIZE, &value))
    return FALSE;
  *out = (gsize) value;
  return TRUE;
}

/* Parses "7d", "12h", "30m", "90s" (or plain seconds). */
static gboolean
parse_duration (const char *text,
                gint64     *seconds)
{
  static const Unit units[] = {
    { "d", 86400 }, { "h", 3600 }, { "m", 60 }, { "s", 1 }, { NULL, 0 },
  };
  guint64 value;

  if (!parse_with_unit (text, units, FALSE, G_MAXINT32, G_MAXINT64, &value))
    return FALSE;
  *seconds = (gint64) value;
  return TRUE;
}

/* Parses "N/s" or "N" (requests a second; 0 turns the limit off). */
static gboolean
parse_rate (const char *text,
            double     *rate)
{
  char *end = NULL;
  double value;

  if (text == NULL || !g_ascii_isdigit (*text))
    return FALSE;
  value = g_ascii_strtod (text, &end);
  if (*end != '\0' && strcmp (end, "/s") != 0)
    return FALSE;
  if (value < 0 || value > 1e6)
    return FALSE;
  *rate = value;
  return TRUE;
}

static int
cmd_serve (int    argc,
           char **argv)
{
  g_autofree char *db = NULL, *listen = NULL, *cert = NULL, *key = NULL;
  g_autofree char *max_body = NULL, *max_inflated = NULL, *rate = NULL, *page_bytes = NULL;
  g_autofree char *max_inflight = NULL, *idle_timeout = NULL, *max_media = NULL;
  int page_records = SERVER_PULL_MAX_RECORDS;
  int per_address = 32;
  gboolean insecure_http = FALSE;
  g_autofree char *recovery_key = NULL;
  g_autofree char *recovery_text = NULL;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db, "the server database: a SQLite file (created if missing), or a postgresql:// URI", "PATH|URI" },
    { "recovery-key", 0, 0, G_OPTION_ARG_FILENAME, &recovery_key, "the recovery public key (recovery-keygen) devices seal their data key to at enrolment", "FILE" },
    { "listen", 0, 0, G_OPTION_ARG_STRING, &listen, "address and port, e.g. 0.0.0.0:8443 (port 0: any free port)", "HOST:PORT" },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &cert, "PEM certificate (chain): serve HTTPS", "FILE" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &key, "PEM private key of --tls-cert", "FILE" },
    { "max-body", 0, 0, G_OPTION_ARG_STRING, &max_body, "largest compressed request body (default 4M)", "BYTES" },
    { "max-inflated", 0, 0, G_OPTION_ARG_STRING, &max_inflated, "largest decompressed push body (default 32M)", "BYTES" },
    { "max-media", 0, 0, G_OPTION_ARG_STRING, &max_media, "largest media file (a photo, a signature) a device may send (default 8M)", "BYTES" },
    { "rate", 0, 0, G_OPTION_ARG_STRING, &rate, "requests a second per device or address; 0: no limit (default 20/s)", "N/s" },
    { "page-records", 0, 0, G_OPTION_ARG_INT, &page_records, "most lines in one pull page (default 500)", "N" },
    { "page-bytes", 0, 0, G_OPTION_ARG_STRING, &page_bytes, "about the most uncompressed bytes in one pull page (default 1M)", "BYTES" },
    { "max-inflight", 0, 0, G_OPTION_ARG_STRING, &max_inflight, "request body bytes buffered at once across all connections; beyond it 503 (default 64M)", "BYTES" },
    { "max-connections-per-address", 0, 0, G_OPTION_ARG_INT, &per_address, "open connections from one client address (default 32)", "N" },
    { "idle-timeout", 0, 0, G_OPTION_ARG_STRING, &idle_timeout, "close a connection silent this long (default 30s)", "DURATION" },
    { "insecure-http", 0, 0, G_OPTION_ARG_NONE, &insecure_http, "allow plain HTTP on a non-loopback address (TLS ends in a proxy in front)", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = make_context ("- serve the sync protocol",
                                                    "Serves the CLMRS sync protocol v1 (docs/sync-protocol.md)\n"
                                                    "until SIGINT or SIGTERM; one log line a request on stderr.",
                                                    entries);
  g_autoptr(GError) error = NULL;
  ServerConfig config = {
    .max_body = 4 * 1024 * 1024,
    .max_inflated = 32 * 1024 * 1024,
    .max_media = SERVER_MEDIA_MAX,
    .rate = 20,
    .pull_max_bytes = SERVER_PULL_MAX_BYTES,
    .max_inflight = 64 * 1024 * 1024,
    .idle_timeout = 30,
  };
  gint64 idle_seconds = 30;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_fail (context, "serve: %s", error->message);
  if (argc > 1)
    return usage_fail (context, "serve: unexpected argument \"%s\"", argv[1]);
  if (db == NULL || listen == NULL)
    return usage_fail (context, "serve: --db and --listen are required");
  if (max_body != NULL && !parse_size (max_body, &config.max_body))
    return usage_fail (context, "serve: --max-body: expected a size in bytes (or with K, M, G), got \"%s\"", max_body);
  if (max_inflated != NULL && !parse_size (max_inflated, &config.max_inflated))
    return usage_fail (context, "serve: --max-inflated: expected a size in bytes (or with K, M, G), got \"%s\"",
                       max_inflated);
  if (max_media != NULL && !parse_size (max_media, &config.max_media))
    return usage_fail (context, "serve: --max-media: expected a size in bytes (or with K, M, G), got \"%s\"", max_media);
  if (page_bytes != NULL && !parse_size (page_bytes, &config.pull_max_bytes))
    return usage_fail (context, "serve: --page-bytes: expected a size in bytes (or with K, M, G), got \"%s\"",
                       page_bytes);
  if (rate != NULL && !parse_rate (rate, &config.rate))
    return usage_fail (context, "serve: --rate: expected N/s, got \"%s\"", rate);
  if (page_records < 1 || page_records > 100000)
    return usage_fail (context, "serve: --page-records: expected 1 to 100000");
  if (max_inflight != NULL && !parse_size (max_inflight, &config.max_inflight))
    return usage_fail (context, "serve: --max-inflight: expected a size in bytes (or with K, M, G), got \"%s\"",
                       max_inflight);
  if (per_address < 1 || per_address > 10000)
    return usage_fail (context, "serve: --max-connections-per-address: expected 1 to 10000");
  if (idle_timeout != NULL && (!parse_duration (idle_timeout, &idle_seconds) || idle_seconds > 3600))
    return usage_fail (context, "serve: --idle-timeout: expected a duration from 1s to 1h, like 30s or 2m, got \"%s\"",
                       idle_timeout);
  config.db_path = db;
  config.listen = listen;
  config.tls_cert = cert;
  config.tls_key = key;
  config.pull_max_records = (guint) page_records;
  config.per_address_connections = (guint) per_address;
  config.idle_timeout = (guint) idle_seconds;
  config.insecure_http = insecure_http;
  if (recovery_key != NULL)
    {
      guint8 parsed[CLMRS_KEYRING_RECOVERY_KEY_BYTES];

      if (!g_file_get_contents (recovery_key, &recovery_text, NULL, &error) ||
          !clmrs_device_parse_recovery_key (recovery_text, parsed, &error))
        return usage_fail (context, "serve: --recovery-key %s: %s", recovery_key, error->message);
      config.recovery_public_key = g_strstrip (recovery_text);
    }
  return server_http_run (&config);
}

/* Writes @text to @path, which must not exist, readable by its owner only. */
static gboolean
write_new_file (const char  *path,
                const char  *text,
                GError     **error)
{
  int fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL, 0600);
  gsize length = strlen (text);

  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "%s: %s", path, g_strerror (saved));
      return FALSE;
    }
  if (write (fd, text, length) != (gssize) length || fsync (fd) != 0)
    {
      int saved = errno;

      close (fd);
      g_unlink (path);
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "%s: %s", path, g_strerror (saved));
      return FALSE;
    }
  close (fd);
  return TRUE;
}

static int
cmd_recovery_keygen (int    argc,
                     char **argv)
{
  g_autofree char *public_path = NULL, *secret_path = NULL;
  GOptionEntry entries[] = {
    { "public", 0, 0, G_OPTION_ARG_FILENAME, &public_path, "where to write the public key (for serve --recovery-key, and assets/recovery/)", "FILE" },
    { "secret", 0, 0, G_OPTION_ARG_FILENAME, &secret_path, "where to write the secret key: keep it offline, never on the server", "FILE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = make_context ("- make the recovery key pair",
                                                    "Makes the key pair devices seal their data key to: the public key goes\n"
                                                    "to devices (serve --recovery-key, or the app's assets for devices set up\n"
                                                    "offline); the secret key opens any device's data (clmrs recover) and\n"
                                                    "belongs offline, never in the server's database. Neither file may exist.",
                                                    entries);
  g_autoptr(GError) error = NULL;
  guint8 pk[CLMRS_KEYRING_RECOVERY_KEY_BYTES], sk[CLMRS_KEYRING_RECOVERY_KEY_BYTES];
  g_autofree char *pk_text = NULL;
  char *sk_text;
  gboolean ok;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_fail (context, "recovery-keygen: %s", error->message);
  if (argc > 1 || public_path == NULL || secret_path == NULL)
    return usage_fail (context, "recovery-keygen: --public FILE and --secret FILE are required");
  if (g_file_test (public_path, G_FILE_TEST_EXISTS) || g_file_test (secret_path, G_FILE_TEST_EXISTS))
    return usage_fail (NULL, "recovery-keygen: %s or %s exists already: a key is never overwritten",
                       public_path, secret_path);
  clmrs_keyring_recovery_keypair_new (pk, sk);
  {
    g_autofree char *b64 = g_base64_encode (pk, sizeof pk);

    pk_text = g_strconcat (b64, "\n", NULL);
  }
  {
    g_autofree char *b64 = g_base64_encode (sk, sizeof sk);

    sk_text = g_strconcat (b64, "\n", NULL);
    sodium_memzero (b64, strlen (b64));
  }
  sodium_memzero (sk, sizeof sk);
  ok = write_new_file (secret_path, sk_text, &error) && write_new_file (public_path, pk_text, &error);
  sodium_memzero (sk_text, strlen (sk_text));
  g_free (sk_text);
  if (!ok)
    {
      g_printerr ("clmrs-server: recovery-keygen: %s\n", error->message);
      return SERVER_EXIT_FAILURE;
    }
  printf ("public key: %s (give it to serve --recovery-key)\nsecret key: %s (keep it offline)\n",
          public_path, secret_path);
  return SERVER_EXIT_OK;
}

static int
cmd_enroll_code (int    argc,
                 char **argv)
{
  g_autofree char *db_path = NULL, *communities = NULL, *expires = NULL;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "the server database: a SQLite file, or a postgresql:// URI", "PATH|URI" },
    { "communities", 0, 0, G_OPTION_ARG_STRING, &communities, "community UUIDs the device may sync, or all", "ID,ID|all" },
    { "expires", 0, 0, G_OPTION_ARG_STRING, &expires, "how long the code is valid: 7d, 12h, 30m (default 7d)", "DURATION" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = make_context ("- make a one-time enrolment code",
                                                    "Prints a one-time enrolment code on its last line.\n"
                                                    "A device enrols with it once (POST /api/v1/enroll).",
                                                    entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(ServerDb) db = NULL;
  g_autofree char *code = NULL;
  gint64 lifetime = 7 * 86400;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_fail (context, "enroll-code: %s", error->message);
  if (argc > 1)
    return usage_fail (context, "enroll-code: unexpected argument \"%s\"", argv[1]);
  if (db_path == NULL || communities == NULL)
    return usage_fail (context, "enroll-code: --db and --communities are required");
  if (expires != NULL && !parse_duration (expires, &lifetime))
    return usage_fail (context, "enroll-code: --expires: expected a duration like 7d, 12h, 30m or 90s, got \"%s\"",
                       expires);
  db = server_db_open (db_path, &error);
  if (db == NULL)
    {
      g_printerr ("clmrs-server: %s\n", error->message);
      return SERVER_EXIT_FAILURE;
    }
  code = server_db_make_code (db, communities, lifetime, &error);
  if (code == NULL)
    {
      g_printerr ("clmrs-server: enroll-code: %s\n", error->message);
      return error_status (error);
    }
  printf ("Enrolment code for %s, valid %" G_GINT64_FORMAT " seconds, usable once:\n%s\n",
          communities, lifetime, code);
  return SERVER_EXIT_OK;
}

static int
cmd_revoke_device (int    argc,
                   char **argv)
{
  g_autofree char *db_path = NULL;
  g_autofree char *reason = NULL;
  gboolean wipe = FALSE;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "the server database: a SQLite file, or a postgresql:// URI", "PATH|URI" },
    { "wipe", 0, 0, G_OPTION_ARG_NONE, &wipe, "also tell the device to erase its data at its next contact", NULL },
    { "reason", 0, 0, G_OPTION_ARG_STRING, &reason, "why (kept in the administrators' log)", "TEXT" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = make_context ("DEVICE_ID - revoke a device",
                                                    "Revokes a device: its token is refused (403) from now on.\n"
                                                    "What it pushed stays stored.  With --wipe (a lost or stolen\n"
                                                    "handheld) the device erases its records, drafts, queue and\n"
                                                    "token at its next contact with the server.",
                                                    entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(ServerDb) db = NULL;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_fail (context, "revoke-device: %s", error->message);
  if (db_path == NULL || argc != 2)
    return usage_fail (context, "revoke-device: --db and one DEVICE_ID are required");
  db = open_existing (db_path, &error);
  if (db == NULL || !server_db_revoke (db, argv[1], wipe, reason, &error))
    {
      g_printerr ("clmrs-server: revoke-device: %s\n", error->message);
      return error_status (error);
    }
  printf ("revoked %s%s\n", argv[1], wipe ? "; it erases its data at its next contact" : "");
  return SERVER_EXIT_OK;
}

static int
cmd_publish (int    argc,
             char **argv)
{
  g_autofree char *db_path = NULL;
  g_auto(GStrv) media = NULL;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "the server database: a SQLite file, or a postgresql:// URI", "PATH|URI" },
    { "media", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &media,
      "a file the form refers to as jr://file/NAME (CSV, XML, picture), or a folder of them; repeatable", "FILE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = make_context ("FILE - publish a form or a rule set",
                                                    "Publishes a form (.xml, ODK XForms: id and version on the\n"
                                                    "primary instance) with its media files, or a rule set (.json\n"
                                                    "with \"id\" and \"version\"); every device receives it with its\n"
                                                    "next pull.  It is checked first with the devices' own loaders:\n"
                                                    "a form is refused with every problem `clmrs forms check` names,\n"
                                                    "and when it refers to a media file not given with --media, or\n"
                                                    "a file given is not referred to.",
                                                    entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(ServerDb) db = NULL;
  g_autofree char *summary = NULL;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_fail (context, "publish: %s", error->message);
  if (db_path == NULL || argc != 2)
    return usage_fail (context, "publish: --db and one FILE are required");
  db = server_db_open (db_path, &error);
  if (db != NULL)
    summary = server_db_publish (db, argv[1], (const char * const *) media, &error);
  if (summary == NULL)
    {
      g_printerr ("clmrs-server: publish: %s\n", error->message);
      if (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return SERVER_EXIT_DATA;
      return error_status (error);
    }
  printf ("%s\n", summary);
  return SERVER_EXIT_OK;
}

/* The export's progress line on stderr: rewritten in place on a
 * terminal, a line every 100,000 records (and the last) otherwise. */
static void
export_progress (guint64  done,
                 guint64  total,
                 gpointer user_data)
{
  gboolean tty = isatty (STDERR_FILENO);

  if (tty || done % 100000 == 0 || done == total)
    g_printerr ("%sclmrs-server: export: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " records%s",
                tty ? "\r" : "", done, total, tty && done != total ? "" : "\n");
}

static int
cmd_export (int    argc,
            char **argv)
{
  g_autofree char *db_path = NULL, *csv = NULL, *since_text = NULL;
  gboolean ndjson = FALSE;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "the server database: a SQLite file, or a postgresql:// URI", "PATH|URI" },
    { "ndjson", 0, 0, G_OPTION_ARG_NONE, &ndjson, "every stored envelope on stdout, one a line, exactly as received", NULL },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &csv, "one CSV per record type (and conflicts.csv) into DIR", "DIR" },
    { "since", 0, 0, G_OPTION_ARG_STRING, &since_text, "only the records stored after the cursor an earlier export "
      "printed (default 0: all)", "CURSOR" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = make_context ("- export stored records",
                                                    "Exports the stored records, in server order, as they are read\n"
                                                    "(memory does not grow with the records).  Progress goes to\n"
                                                    "stderr, then the cursor to give as --since next time.",
                                                    entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(ServerDb) db = NULL;
  guint64 since = 0;
  gint64 cursor = 0;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_fail (context, "export: %s", error->message);
  if (argc > 1)
    return usage_fail (context, "export: unexpected argument \"%s\"", argv[1]);
  if (db_path == NULL || (ndjson == (csv != NULL)))
    return usage_fail (context, "export: --db and one of --ndjson or --csv DIR are required");
  if (since_text != NULL && !g_ascii_string_to_unsigned (since_text, 10, 0, G_MAXINT64, &since, NULL))
    return usage_fail (context, "export: --since \"%s\": expected the cursor an earlier export printed "
                       "(a whole number)", since_text);
  if (!server_store_is_uri (db_path) && !g_file_test (db_path, G_FILE_TEST_IS_REGULAR))
    {
      g_printerr ("clmrs-server: export: %s: no such database\n", db_path);
      return SERVER_EXIT_FAILURE;
    }
  db = open_existing (db_path, &error);
  if (db == NULL
      || !(ndjson ? server_db_export_ndjson (db, stdout, (gint64) since, &cursor, export_progress, NULL, &error)
                  : server_db_export_csv (db, csv, (gint64) since, &cursor, export_progress, NULL, &error)))
    {
      g_printerr ("clmrs-server: export: %s\n", error->message);
      return SERVER_EXIT_FAILURE;
    }
  g_printerr ("clmrs-server: export: cursor %" G_GINT64_FORMAT " (next time: --since %" G_GINT64_FORMAT ")\n",
              cursor, cursor);
  return SERVER_EXIT_OK;
}

/* "ID@VERSION" split at its last '@'. */
static gboolean
split_identity (const char  *text,
                char       **id,
                char       **version)
{
  const char *at = text != NULL ? strrchr (text, '@') : NULL;

  if (at == NULL || at == text || at[1] == '\0')
    return FALSE;
  *id = g_strndup (text, (gsize) (at - text));
  *version = g_strdup (at + 1);
  return TRUE;
}

static int
cmd_forms (int    argc,
           char **argv)
{
  g_autofree char *db_path = NULL;
  g_autofree char *form = NULL;
  g_autofree char *rules = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "the server database: a SQLite file, or a postgresql:// URI", "PATH|URI" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "the list as JSON", NULL },
    { "form", 0, 0, G_OPTION_ARG_STRING, &form, "write this published form version to stdout", "ID@VERSION" },
    { "rules", 0, 0, G_OPTION_ARG_STRING, &rules, "write this published rule set version to stdout", "ID@VERSION" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = make_context ("- the forms and rule sets published, every version",
                                                    "Lists every version of every form and rule set published\n"
                                                    "(none is ever removed), or writes one out: a record's\n"
                                                    "\"schema\" (form id@version) and \"rules\" name the versions\n"
                                                    "that made it, so its answers read with that form's labels.",
                                                    entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(ServerDb) db = NULL;
  g_autoptr(JsonNode) list = NULL;
  JsonArray *array;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_fail (context, "forms: %s", error->message);
  if (db_path == NULL || argc > 1 || (form != NULL && rules != NULL))
    return usage_fail (context, "forms: --db is required, with at most one of --form and --rules");
  db = open_existing (db_path, &error);
  if (db == NULL)
    {
      g_printerr ("clmrs-server: forms: %s\n", error->message);
      return SERVER_EXIT_FAILURE;
    }
  if (form != NULL || rules != NULL)
    {
      g_autofree char *id = NULL;
      g_autofree char *version = NULL;
      g_autofree char *content = NULL;

      if (!split_identity (form != NULL ? form : rules, &id, &version))
        return usage_fail (context, "forms: expected ID@VERSION, got \"%s\"", form != NULL ? form : rules);
      content = server_db_publication_content (db, form != NULL ? "form" : "rule_set", id, version, &error);
      if (content == NULL)
        {
          g_printerr ("clmrs-server: forms: %s\n", error->message);
          return error_status (error);
        }
      fputs (content, stdout);
      return SERVER_EXIT_OK;
    }
  list = server_db_publications (db, &error);
  if (list == NULL)
    {
      g_printerr ("clmrs-server: forms: %s\n", error->message);
      return SERVER_EXIT_FAILURE;
    }
  if (json)
    {
      g_autofree char *text = json_to_string (list, TRUE);
      printf ("%s\n", text);
      return SERVER_EXIT_OK;
    }
  array = json_node_get_array (list);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *o = json_array_get_object_element (array, i);
      guint media = json_array_get_length (json_object_get_array_member (o, "media"));

      printf ("%-9s %-20s %-14s rev %-3" G_GINT64_FORMAT " %s", json_object_get_string_member (o, "type"),
              json_object_get_string_member (o, "id"), json_object_get_string_member (o, "version"),
              json_object_get_int_member (o, "rev"), json_object_get_string_member (o, "published"));
      if (media > 0)
        printf ("  %u media file%s", media, media == 1 ? "" : "s");
      printf ("\n");
    }
  return SERVER_EXIT_OK;
}

static int
cmd_export_media (int    argc,
                  char **argv)
{
  g_autofree char *db_path = NULL;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "the server database", "PATH" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = make_context ("DIR - write the media files devices sent",
                                                    "Writes every whole media file (photos, signatures) as\n"
                                                    "DIR/<visit id>/<file name>: the name a visit's answer gives.",
                                                    entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(ServerDb) db = NULL;
  guint count = 0;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_fail (context, "export-media: %s", error->message);
  if (db_path == NULL || argc != 2)
    return usage_fail (context, "export-media: --db and a folder are required");
  db = open_existing (db_path, &error);
  if (db == NULL || !server_media_export (db, argv[1], &count, &error))
    {
      g_printerr ("clmrs-server: export-media: %s\n", error->message);
      return SERVER_EXIT_FAILURE;
    }
  g_printerr ("clmrs-server: export-media: %u file%s\n", count, count == 1 ? "" : "s");
  return SERVER_EXIT_OK;
}

static int
cmd_stats (int    argc,
           char **argv)
{
  g_autofree char *db_path = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "the server database: a SQLite file, or a postgresql:// URI", "PATH|URI" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "as JSON (the only format so far)", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = make_context ("- counts of what the server holds",
                                                    "Counts devices, records by type, conflicts, publications\n"
                                                    "and unused enrolment codes.",
                                                    entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(ServerDb) db = NULL;
  g_autofree char *stats = NULL;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_fail (context, "stats: %s", error->message);
  if (db_path == NULL || argc > 1)
    return usage_fail (context, "stats: --db is required");
  db = open_existing (db_path, &error);
  if (db != NULL)
    stats = server_db_stats_json (db, &error);
  if (stats == NULL)
    {
      g_printerr ("clmrs-server: stats: %s\n", error->message);
      return SERVER_EXIT_FAILURE;
    }
  printf ("%s\n", stats);
  return SERVER_EXIT_OK;
}

static int
cmd_devices (int    argc,
             char **argv)
{
  g_autofree char *db_path = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "the server database: a SQLite file, or a postgresql:// URI", "PATH|URI" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "as a JSON array", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = make_context ("- list enrolled devices",
                                                    "Lists every device: id, name, communities, when it enrolled\n"
                                                    "and was revoked, its last authenticated request (time and\n"
                                                    "client address) and the queue size it last reported.",
                                                    entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(ServerDb) db = NULL;
  g_autofree char *text = NULL;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_fail (context, "devices: %s", error->message);
  if (db_path == NULL || argc > 1)
    return usage_fail (context, "devices: --db is required");
  db = open_existing (db_path, &error);
  if (db != NULL)
    text = server_db_devices (db, json, &error);
  if (text == NULL)
    {
      g_printerr ("clmrs-server: devices: %s\n", error->message);
      return SERVER_EXIT_FAILURE;
    }
  fputs (text, stdout);
  return SERVER_EXIT_OK;
}

static int
cmd_indicators (int    argc,
                char **argv)
{
  g_autofree char *db_path = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  gboolean json = FALSE;
  gboolean replay = FALSE;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "the server database: a SQLite file, or a postgresql:// URI", "PATH|URI" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "as JSON (the only format so far)", NULL },
    { "from", 0, 0, G_OPTION_ARG_STRING, &from, "first day of the period", "YYYY-MM-DD" },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to, "last day of the period", "YYYY-MM-DD" },
    { "replay", 0, 0, G_OPTION_ARG_NONE, &replay, "replay every record into a fresh in-memory store instead of "
      "reading the derived store (slow: the old way, for comparison)", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = make_context ("- the CLMRS indicators of every community",
                                                    "Computes the indicators (docs/cases-and-indicators.md) over\n"
                                                    "every stored record, with the devices' own code, from the\n"
                                                    "derived store beside the database (brought up to date first).",
                                                    entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(ServerDb) db = NULL;
  g_autofree char *text = NULL;
  GDate d;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_fail (context, "indicators: %s", error->message);
  if (db_path == NULL || argc > 1 || !json)
    return usage_fail (context, "indicators: give --db PATH --json");
  if ((from != NULL && !clmrs_date_parse (from, &d)) || (to != NULL && !clmrs_date_parse (to, &d)))
    return usage_fail (context, "indicators: --from and --to are dates (YYYY-MM-DD)");
  db = open_existing (db_path, &error);
  if (db != NULL)
    text = replay ? server_db_indicators_replay_json (db, from, to, &error)
                  : server_db_indicators_json (db, from, to, &error);
  if (text == NULL)
    {
      g_printerr ("clmrs-server: indicators: %s\n", error->message);
      return SERVER_EXIT_FAILURE;
    }
  printf ("%s\n", text);
  return SERVER_EXIT_OK;
}

static int
cmd_rebuild (int    argc,
             char **argv)
{
  g_autofree char *db_path = NULL;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "the server database: a SQLite file, or a postgresql:// URI", "PATH|URI" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = make_context ("- recompute cases and indicators from the records",
                                                    "Empties the derived store beside the database and applies\n"
                                                    "every stored record to it again, with the devices' own code.\n"
                                                    "A running server may go on serving meanwhile.",
                                                    entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(ServerDb) db = NULL;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_fail (context, "rebuild: %s", error->message);
  if (db_path == NULL || argc > 1)
    return usage_fail (context, "rebuild: --db PATH is required");
  db = open_existing (db_path, &error);
  if (db == NULL || !server_derived_update (db, TRUE, TRUE, print_progress, "rebuild", NULL, NULL, &error))
    {
      g_printerr ("clmrs-server: rebuild: %s\n", error->message);
      return SERVER_EXIT_FAILURE;
    }
  printf ("rebuilt\n");
  return SERVER_EXIT_OK;
}

static int
cmd_backup (int    argc,
            char **argv)
{
  g_autofree char *db_path = NULL, *to = NULL;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "the server database: a SQLite file, or a postgresql:// URI", "PATH|URI" },
    { "to", 0, 0, G_OPTION_ARG_FILENAME, &to, "the copy to make (a new file)", "FILE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = make_context ("- copy the database while the server runs",
                                                    "Copies the server database as it is at one instant (SQLite's\n"
                                                    "online backup), while devices go on syncing.  Restore: stop\n"
                                                    "the server, put the copy in place of PATH, remove PATH-wal and\n"
                                                    "PATH-shm, start it (docs/operations.md).",
                                                    entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(ServerDb) db = NULL;
  gint pages = 0;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_fail (context, "backup: %s", error->message);
  if (db_path == NULL || to == NULL || argc > 1)
    return usage_fail (context, "backup: --db PATH and --to FILE are required");
  db = open_existing (db_path, &error);
  if (db == NULL || !server_db_backup (db, to, &pages, &error))
    {
      g_printerr ("clmrs-server: backup: %s\n", error->message);
      return error_status (error);
    }
  printf ("backed up %d pages to %s\n", pages, to);
  return SERVER_EXIT_OK;
}

/* quarantine and release: one record set aside, or back. */
static int
quarantine_command (int         argc,
                    char      **argv,
                    const char *name,
                    gboolean    quarantine)
{
  g_autofree char *db_path = NULL;
  g_autofree char *reason = NULL;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "the server database: a SQLite file, or a postgresql:// URI", "PATH|URI" },
    { "reason", 0, 0, G_OPTION_ARG_STRING, &reason, "why (kept in the administrators' log)", "TEXT" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = make_context (
      "RECORD_ID - set a record aside, or release it",
      quarantine ? "Sets every revision of a stored record aside: it stays in the database, but no\n"
                   "device receives it from now on, and exports and indicators leave it out."
                 : "Releases a quarantined record: devices receive it again at their next pull\n"
                   "(those that pulled past it receive it only after a pull from 0).",
      entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(ServerDb) db = NULL;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_fail (context, "%s: %s", name, error->message);
  if (db_path == NULL || reason == NULL || argc != 2)
    return usage_fail (context, "%s: --db, --reason and one RECORD_ID are required", name);
  db = open_existing (db_path, &error);
  if (db == NULL || !server_db_quarantine (db, argv[1], quarantine, reason, &error))
    {
      g_printerr ("clmrs-server: %s: %s\n", name, error->message);
      return error_status (error);
    }
  update_derived (db, name);
  printf ("%s %s\n", quarantine ? "quarantined" : "released", argv[1]);
  return SERVER_EXIT_OK;
}

static int
cmd_quarantine (int    argc,
                char **argv)
{
  return quarantine_command (argc, argv, "quarantine", TRUE);
}

static int
cmd_release (int    argc,
             char **argv)
{
  return quarantine_command (argc, argv, "release", FALSE);
}

static int
cmd_delete_record (int    argc,
                   char **argv)
{
  g_autofree char *db_path = NULL;
  g_autofree char *reason = NULL;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "the server database: a SQLite file, or a postgresql:// URI", "PATH|URI" },
    { "reason", 0, 0, G_OPTION_ARG_STRING, &reason, "why (kept in the administrators' log)", "TEXT" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = make_context (
      "RECORD_ID - delete a stored record",
      "Deletes every revision of a record and its conflicts.  The administrators' log\n"
      "keeps its id, type and community and the reason, never its content.  Devices\n"
      "that received it keep their copy.",
      entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(ServerDb) db = NULL;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_fail (context, "delete-record: %s", error->message);
  if (db_path == NULL || reason == NULL || argc != 2)
    return usage_fail (context, "delete-record: --db, --reason and one RECORD_ID are required");
  db = open_existing (db_path, &error);
  if (db == NULL || !server_db_delete_record (db, argv[1], reason, &error))
    {
      g_printerr ("clmrs-server: delete-record: %s\n", error->message);
      return error_status (error);
    }
  update_derived (db, "delete-record");
  printf ("deleted %s\n", argv[1]);
  return SERVER_EXIT_OK;
}

static int
cmd_hand_over (int    argc,
               char **argv)
{
  g_autofree char *db_path = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autofree char *record = NULL;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "the server database: a SQLite file, or a postgresql:// URI", "PATH|URI" },
    { "from", 0, 0, G_OPTION_ARG_STRING, &from, "the device that owns the records", "DEVICE_ID" },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to, "the device that may revise them from now on", "DEVICE_ID" },
    { "record", 0, 0, G_OPTION_ARG_STRING, &record, "one record only (default: all of --from's)", "RECORD_ID" },
    { "reason", 0, 0, G_OPTION_ARG_STRING, &reason, "why (kept in the administrators' log)", "TEXT" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = make_context (
      "- let another device revise a device's records",
      "Only the device that created a record may send new revisions of it; a revision\n"
      "from another device is kept aside as a conflict.  This hands one record, or\n"
      "all of a device's records, to another device.  Handing over all also moves the\n"
      "id the old device stamped its records with (a handheld enrolled again).",
      entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(ServerDb) db = NULL;
  gint64 n;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_fail (context, "hand-over: %s", error->message);
  if (db_path == NULL || from == NULL || to == NULL || reason == NULL || argc != 1)
    return usage_fail (context, "hand-over: --db, --from, --to and --reason are required");
  db = open_existing (db_path, &error);
  if (db == NULL || (n = server_db_hand_over (db, from, to, record, reason, &error)) < 0)
    {
      g_printerr ("clmrs-server: hand-over: %s\n", error->message);
      return error_status (error);
    }
  printf ("handed over %" G_GINT64_FORMAT " record%s\n", n, n == 1 ? "" : "s");
  return SERVER_EXIT_OK;
}

static int
cmd_audit (int    argc,
           char **argv)
{
  g_autofree char *db_path = NULL;
  g_autofree char *person = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "the server database: a SQLite file, or a postgresql:// URI", "PATH|URI" },
    { "person", 0, 0, G_OPTION_ARG_STRING, &person, "only this person's entries", "PERSON_ID" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "one JSON object a line", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = make_context (
      "- who did what on the devices",
      "Lists the audit trails devices sent, in the order received: who signed in or\n"
      "typed a wrong PIN, who signed out or was locked out, who opened which\n"
      "household or visit, who approved or returned what.  Tab-separated: time,\n"
      "device, person, action, subject type, subject id, detail; or --json.",
      entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(ServerDb) db = NULL;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_fail (context, "audit: %s", error->message);
  if (db_path == NULL || argc != 1)
    return usage_fail (context, "audit: --db is required");
  db = open_existing (db_path, &error);
  if (db == NULL || !server_db_audit (db, person, json, stdout, &error))
    {
      g_printerr ("clmrs-server: audit: %s\n", error->message);
      return error_status (error);
    }
  return SERVER_EXIT_OK;
}

static int
cmd_problems (int    argc,
              char **argv)
{
  g_autofree char *db_path = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "the server database: a SQLite file, or a postgresql:// URI", "PATH|URI" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "one JSON object a line", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = make_context (
      "- records devices received and could not apply",
      "Lists what devices reported at their last syncs: records they set aside\n"
      "(kept, not applied) with the reason.  Quarantine such a record so that no\n"
      "other device receives it.  Tab-separated: reported, device, record, rev,\n"
      "type, reason, first seen; or --json.",
      entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(ServerDb) db = NULL;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_fail (context, "problems: %s", error->message);
  if (db_path == NULL || argc != 1)
    return usage_fail (context, "problems: --db is required");
  db = open_existing (db_path, &error);
  if (db == NULL || !server_db_problems (db, json, stdout, &error))
    {
      g_printerr ("clmrs-server: problems: %s\n", error->message);
      return error_status (error);
    }
  return SERVER_EXIT_OK;
}

static int
cmd_admin_log (int    argc,
               char **argv)
{
  g_autofree char *db_path = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "the server database: a SQLite file, or a postgresql:// URI", "PATH|URI" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "one JSON object a line", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = make_context (
      "- what administrators did to records",
      "Lists quarantines, releases, deletions and hand-overs, oldest first:\n"
      "time, action, target, detail, reason (tab-separated, or --json).",
      entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(ServerDb) db = NULL;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_fail (context, "admin-log: %s", error->message);
  if (db_path == NULL || argc != 1)
    return usage_fail (context, "admin-log: --db is required");
  db = open_existing (db_path, &error);
  if (db == NULL || !server_db_admin_log (db, json, stdout, &error))
    {
      g_printerr ("clmrs-server: admin-log: %s\n", error->message);
      return error_status (error);
    }
  return SERVER_EXIT_OK;
}

static int
cmd_people_add (int    argc,
                char **argv)
{
  g_autofree char *db_path = NULL, *name = NULL, *sex = NULL, *role = NULL, *communities = NULL, *id = NULL;
  gboolean one_time = FALSE;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "the server database: a SQLite file, or a postgresql:// URI", "PATH|URI" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, "the person's name, as devices show it", "NAME" },
    { "sex", 0, 0, G_OPTION_ARG_STRING, &sex, "male or female", "male|female" },
    { "role", 0, 0, G_OPTION_ARG_STRING, &role, "facilitator or supervisor", "ROLE" },
    { "communities", 0, 0, G_OPTION_ARG_STRING, &communities, "community UUIDs the person works in, or all", "ID,ID|all" },
    { "one-time-pin", 0, 0, G_OPTION_ARG_NONE, &one_time, "make a 6-digit PIN to hand to the person (signs in once, then chooses their own)", NULL },
    { "id", 0, 0, G_OPTION_ARG_STRING, &id, "an id the person already has (default: a new one)", "UUID" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = make_context (
      "- add a facilitator or supervisor",
      "Adds a person; the devices of their communities receive them at their next\n"
      "sync, with no PIN: the person chooses one at their first sign-in, or signs in\n"
      "once with the --one-time-pin printed here.  Prints the person's id on its last line.",
      entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(ServerDb) db = NULL;
  g_autofree char *pin = NULL;
  g_autofree char *person = NULL;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_fail (context, "people add: %s", error->message);
  if (argc > 1)
    return usage_fail (context, "people add: unexpected argument \"%s\"", argv[1]);
  if (db_path == NULL || name == NULL || sex == NULL || role == NULL || communities == NULL)
    return usage_fail (context, "people add: --db, --name, --sex, --role and --communities are required");
  db = server_db_open (db_path, &error);
  if (db != NULL)
    person = server_db_people_add (db, id, name, sex, role, communities, one_time ? &pin : NULL, &error);
  if (person == NULL)
    {
      g_printerr ("clmrs-server: people add: %s\n", error->message);
      return error_status (error);
    }
  if (pin != NULL)
    printf ("One-time PIN (hand it to the person; it is not shown again): %s\n", pin);
  printf ("%s\n", person);
  return SERVER_EXIT_OK;
}

static int
cmd_people_list (int    argc,
                 char **argv)
{
  g_autofree char *db_path = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "the server database: a SQLite file, or a postgresql:// URI", "PATH|URI" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "as a JSON array", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = make_context (
      "- list people",
      "Lists every person: id, name, sex, role, created, disabled, the device that\n"
      "declared them (a device set up offline), communities.",
      entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(ServerDb) db = NULL;
  g_autofree char *text = NULL;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_fail (context, "people list: %s", error->message);
  if (db_path == NULL || argc > 1)
    return usage_fail (context, "people list: --db is required");
  db = open_existing (db_path, &error);
  if (db != NULL)
    text = server_db_people_list (db, json, &error);
  if (text == NULL)
    {
      g_printerr ("clmrs-server: people list: %s\n", error->message);
      return SERVER_EXIT_FAILURE;
    }
  fputs (text, stdout);
  return SERVER_EXIT_OK;
}

static int
cmd_people_disable (int    argc,
                    char **argv)
{
  g_autofree char *db_path = NULL, *reason = NULL;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "the server database: a SQLite file, or a postgresql:// URI", "PATH|URI" },
    { "reason", 0, 0, G_OPTION_ARG_STRING, &reason, "why (kept in the administrators' log)", "TEXT" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = make_context (
      "PERSON_ID - disable a person",
      "Devices set the person inactive at their next sync (nobody signs in as them),\n"
      "and the server refuses records they author from now on.  What they made stays.",
      entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(ServerDb) db = NULL;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_fail (context, "people disable: %s", error->message);
  if (db_path == NULL || reason == NULL || argc != 2)
    return usage_fail (context, "people disable: --db, --reason and one PERSON_ID are required");
  db = open_existing (db_path, &error);
  if (db == NULL || !server_db_people_disable (db, argv[1], reason, &error))
    {
      g_printerr ("clmrs-server: people disable: %s\n", error->message);
      return error_status (error);
    }
  printf ("disabled %s\n", argv[1]);
  return SERVER_EXIT_OK;
}

static int
cmd_people_set_role (int    argc,
                     char **argv)
{
  g_autofree char *db_path = NULL, *role = NULL, *reason = NULL;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "the server database: a SQLite file, or a postgresql:// URI", "PATH|URI" },
    { "role", 0, 0, G_OPTION_ARG_STRING, &role, "facilitator or supervisor", "ROLE" },
    { "reason", 0, 0, G_OPTION_ARG_STRING, &reason, "why (kept in the administrators' log)", "TEXT" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = make_context (
      "PERSON_ID - make a person a facilitator or a supervisor",
      "Only a supervisor may approve or return a visit.  A person a device declared\n"
      "at enrolment is a facilitator until promoted here; devices receive the new\n"
      "role at their next sync.",
      entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(ServerDb) db = NULL;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_fail (context, "people set-role: %s", error->message);
  if (db_path == NULL || role == NULL || reason == NULL || argc != 2)
    return usage_fail (context, "people set-role: --db, --role, --reason and one PERSON_ID are required");
  db = open_existing (db_path, &error);
  if (db == NULL || !server_db_people_set_role (db, argv[1], role, reason, &error))
    {
      g_printerr ("clmrs-server: people set-role: %s\n", error->message);
      return error_status (error);
    }
  printf ("%s is now a %s\n", argv[1], role);
  return SERVER_EXIT_OK;
}

static int
cmd_people (int    argc,
            char **argv)
{
  static const struct {
    const char *name;
    int       (*func) (int argc, char **argv);
  } subcommands[] = {
    { "add", cmd_people_add },
    { "list", cmd_people_list },
    { "disable", cmd_people_disable },
    { "set-role", cmd_people_set_role },
  };

  if (argc >= 2)
    for (gsize i = 0; i < G_N_ELEMENTS (subcommands); i++)
      if (strcmp (argv[1], subcommands[i].name) == 0)
        return subcommands[i].func (argc - 1, argv + 1);
  if (argc >= 2 && (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0))
    {
      printf ("Usage: clmrs-server people add|list|disable|set-role [OPTIONS...]\n"
              "\n"
              "The facilitators and supervisors devices receive, and the authors the\n"
              "server accepts.  people SUBCOMMAND --help shows its options.\n\n%s", exit_help);
      return SERVER_EXIT_OK;
    }
  g_printerr ("clmrs-server: people: expected add, list, disable or set-role%s%s%s\n",
              argc >= 2 ? " (got \"" : "", argc >= 2 ? argv[1] : "", argc >= 2 ? "\")" : "");
  return SERVER_EXIT_USAGE;
}

typedef struct {
  const char *name;
  int       (*func) (int argc, char **argv);
  const char *summary;
} Command;

static const Command commands[] = {
  { "serve", cmd_serve, "serve the sync protocol over HTTP(S)" },
  { "enroll-code", cmd_enroll_code, "make a one-time enrolment code for some communities" },
  { "revoke-device", cmd_revoke_device, "revoke a device's token" },
  { "devices", cmd_devices, "list devices: enrolment, revocation, last contact, queue" },
  { "publish", cmd_publish, "publish a form (.xml) or rule set (.json) to every device" },
  { "forms", cmd_forms, "the forms and rule sets published, every version; one written out" },
  { "export", cmd_export, "export stored records as NDJSON or CSV" },
  { "export-media", cmd_export_media, "write the media files (photos, signatures) devices sent" },
  { "stats", cmd_stats, "counts of devices, records, conflicts" },
  { "indicators", cmd_indicators, "the CLMRS indicators over every stored record" },
  { "rebuild", cmd_rebuild, "recompute cases and indicators from the stored records" },
  { "backup", cmd_backup, "copy the database while the server runs (online backup)" },
  { "quarantine", cmd_quarantine, "set a stored record aside: no device receives it" },
  { "release", cmd_release, "release a quarantined record" },
  { "delete-record", cmd_delete_record, "delete a stored record, logged with the reason" },
  { "hand-over", cmd_hand_over, "let another device revise a device's records" },
  { "admin-log", cmd_admin_log, "what administrators did to records, and why" },
  { "audit", cmd_audit, "who did what on the devices: sign-ins, records opened, reviews" },
  { "problems", cmd_problems, "records devices received and could not apply" },
  { "people", cmd_people, "facilitators and supervisors: add, list, disable, set-role" },
  { "recovery-keygen", cmd_recovery_keygen, "make the key pair devices seal their data key to (secret kept offline)" },
};

static void
print_help (FILE *out)
{
  fprintf (out,
           "Usage: clmrs-server COMMAND [OPTIONS...]\n"
           "\n"
           "The CLMRS sync server: receives devices' record batches, serves each\n"
           "device its communities' records and published forms and rule sets.\n"
           "Protocol: docs/sync-protocol.md.\n"
           "\n"
           "Commands:\n");
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-14s %s\n", commands[i].name, commands[i].summary);
  fprintf (out,
           "\n"
           "COMMAND --help shows a command's options.\n"
           "\n%s", exit_help);
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");

  if (argc < 2)
    {
      print_help (stderr);
      return SERVER_EXIT_USAGE;
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0 || strcmp (argv[1], "help") == 0)
    {
      print_help (stdout);
      return SERVER_EXIT_OK;
    }
  if (strcmp (argv[1], "--version") == 0)
    {
      printf ("%s %s\n", SERVER_NAME, CLMRS_VERSION);
      return SERVER_EXIT_OK;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (argv[1], commands[i].name) == 0)
      return commands[i].func (argc - 1, argv + 1);
  g_printerr ("clmrs-server: unknown command \"%s\"\n\n", argv[1]);
  print_help (stderr);
  return SERVER_EXIT_USAGE;
}
