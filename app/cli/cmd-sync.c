/* cmd-sync.c: `clmrs enroll` and `clmrs sync`, the device's side of the sync protocol. */
#define G_LOG_DOMAIN "clmrs"

#include "cli.h"

#include "client.h"
#include "store.h"

#include <stdio.h>
#include <unistd.h>

static void
show_progress (const ClmrsSyncReport *r,
               gpointer               user_data)
{
  if (isatty (fileno (stderr)))
    fprintf (stderr, "\rsent %" G_GUINT64_FORMAT ", received %" G_GUINT64_FORMAT ", %.1f kB up, %.1f kB down",
             r->records_sent, r->pulled, r->bytes_up / 1e3, r->bytes_down / 1e3);
}

/* The person enrolling a new device (--person, an id or a name among the
 * people the server sent) gets its keyring's first entry. */
static gboolean
write_first_person (ClmrsCli    *cli,
                    ClmrsStore  *store,
                    const char  *pin,
                    GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = clmrs_store_prepare (store,
      "SELECT id, name FROM facilitators WHERE active AND (id = ?1 OR name = ?1)", error);
  ClmrsDevicePerson person = { 0 };
  guint8 recovery[CLMRS_KEYRING_RECOVERY_KEY_BYTES];
  g_autofree char *id = NULL;
  g_autofree char *person_name = NULL;
  ClmrsStep step;
  guint found = 0;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, cli->person, -1, SQLITE_TRANSIENT);
  while ((step = clmrs_store_step (store, stmt, error)) == CLMRS_STEP_ROW)
    {
      found++;
      g_free (id);
      g_free (person_name);
      id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      person_name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
    }
  if (step == CLMRS_STEP_ERROR)
    return FALSE;
  if (found != 1)
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_NOT_FOUND,
                   found == 0 ? "--person %s is not one of the server's people for this device's communities"
                              : "--person %s names several people: give the id",
                   cli->person);
      return FALSE;
    }
  person = (ClmrsDevicePerson) { id, person_name, pin };
  return clmrs_device_recovery_key_for (store, recovery, error) &&
         clmrs_device_write_keyring (cli->db_path, cli->key, recovery, &person, 1, error);
}

int
clmrs_cmd_enrol (ClmrsCli  *cli,
                  int        argc,
                  char     **argv)
{
  g_autofree char *server = NULL;
  g_autofree char *code = NULL;
  g_autofree char *cacert = NULL;
  g_autofree char *name = NULL;
  gboolean insecure = FALSE;
  gboolean insecure_http = FALSE;
  gboolean created;
  g_autofree char *pin = NULL;
  g_autoptr(ClmrsStore) store = NULL;
  g_autoptr(GError) error = NULL;
  GOptionEntry entries[] = {
    { "server", 0, 0, G_OPTION_ARG_STRING, &server, "The server's address, e.g. https://hub.example:8443", "URL" },
    { "code", 0, 0, G_OPTION_ARG_STRING, &code, "The one-time enrolment code from the administrator", "CODE" },
    { "cacert", 0, 0, G_OPTION_ARG_FILENAME, &cacert, "Trust the CAs in this PEM file (a hub's own CA)", "FILE" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, "This device's name on the server (default: the host name)", "NAME" },
    { "insecure", 0, 0, G_OPTION_ARG_NONE, &insecure, "Do not verify the server's certificate (testing only)", NULL },
    { "insecure-http", 0, 0, G_OPTION_ARG_NONE, &insecure_http, "Allow an http:// server that is not on this machine (the token travels in clear)", NULL },
    { NULL }
  };
  ClmrsSyncConfig config = { 0 };

  if (!clmrs_cli_parse ("enroll", NULL,
                        "Enrols this device with a CLMRS server using a one-time code made by\n"
                        "the administrator (clmrs-server enroll-code). The server's address,\n"
                        "the certificates of --cacert (copied, not the path) and the device's\n"
                        "token are kept in the database; the token is never printed. Enrolling\n"
                        "again with the same server revokes the previous token. A new device\n"
                        "(no file at --db) is made encrypted, and --person (the one enrolling\n"
                        "it, among the server's people) chooses the PIN to sign in with.",
                        entries, &argc, &argv))
    return CLMRS_EXIT_USAGE;
  if (server == NULL || code == NULL)
    return clmrs_cli_fail (CLMRS_EXIT_USAGE, "enroll: give --server URL and --code CODE");

  created = !g_file_test (cli->db_path, G_FILE_TEST_EXISTS);
  if (created)
    {
      /* a new device: the person enrolling it is its first to sign in */
      if (cli->person == NULL)
        return clmrs_cli_fail (CLMRS_EXIT_USAGE,
                               "enroll: a new device needs --person ID: the person enrolling it "
                               "(one of the server's people of its communities), who chooses a PIN");
      pin = clmrs_cli_read_new_pin (cli, "Your new PIN (6 digits or more)", &error);
      if (pin == NULL)
        return clmrs_cli_fail (CLMRS_EXIT_USAGE, "enroll: %s", error->message);
      store = clmrs_device_create (cli->db_path, &cli->key, &error);
    }
  else
    store = clmrs_cli_open_existing (cli, &error);
  if (store == NULL)
    return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "%s", error->message);
  config.server_url = server;
  config.cacert = cacert;
  config.insecure = insecure;
  config.insecure_http = insecure_http;
  config.max_attempts = 3;
  if (!clmrs_sync_enrol (store, &config, code, name, &error) ||
      (created && !write_first_person (cli, store, pin, &error)))
    {
      if (created)
        {
          g_clear_pointer (&store, clmrs_store_close);
          clmrs_device_remove_files (cli->db_path);
        }
      return clmrs_cli_fail (g_error_matches (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_REFUSED)
                             ? CLMRS_EXIT_DATA : CLMRS_EXIT_FAILURE, "%s", error->message);
    }
  printf ("enrolled with %s\n", server);
  return CLMRS_EXIT_OK;
}

int
clmrs_cmd_sync (ClmrsCli  *cli,
                int        argc,
                char     **argv)
{
  g_autofree char *server = NULL;
  g_autofree char *cacert = NULL;
  gboolean insecure = FALSE;
  gboolean insecure_http = FALSE;
  int batch_kb = 1024;
  g_autoptr(ClmrsStore) store = NULL;
  g_autoptr(GError) error = NULL;
  ClmrsSyncReport report = { 0 };
  ClmrsSyncConfig config = { 0 };
  gboolean ok;
  GOptionEntry entries[] = {
    { "server", 0, 0, G_OPTION_ARG_STRING, &server, "Another address for the server (default: the enrolment's)", "URL" },
    { "cacert", 0, 0, G_OPTION_ARG_FILENAME, &cacert, "Trust the CAs in this PEM file", "FILE" },
    { "insecure", 0, 0, G_OPTION_ARG_NONE, &insecure, "Do not verify the server's certificate (testing only)", NULL },
    { "insecure-http", 0, 0, G_OPTION_ARG_NONE, &insecure_http, "Allow an http:// server that is not on this machine (the token travels in clear)", NULL },
    { "batch-kb", 0, 0, G_OPTION_ARG_INT, &batch_kb, "Envelope kilobytes per push before compression (default 1024)", "KB" },
    { NULL }
  };

  if (!clmrs_cli_parse ("sync", NULL,
                        "Pushes every queued record to the server in compressed batches, then\n"
                        "pulls what this device needs (its communities' households, children,\n"
                        "cases, reviews, form and rule updates). A record leaves the queue only\n"
                        "when the server answered for it. Exits 0 only when the queue is empty\n"
                        "and the pull is complete; otherwise 1 with the reason. Retries dropped\n"
                        "links with backoff; run it again to resume.",
                        entries, &argc, &argv))
    return CLMRS_EXIT_USAGE;
  if (argc > 1 || batch_kb < 1 || batch_kb > 16384)
    return clmrs_cli_fail (CLMRS_EXIT_USAGE, "sync: bad arguments (see --help)");

  store = clmrs_cli_open_existing (cli, &error);
  if (store == NULL)
    return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "%s", error->message);
  config.server_url = server;
  config.cacert = cacert;
  config.insecure = insecure;
  config.insecure_http = insecure_http;
  config.batch_bytes = (gsize) batch_kb * 1024;
  if (g_getenv ("CLMRS_SYNC_BACKOFF_MS") != NULL)
    config.backoff_ms = atoi (g_getenv ("CLMRS_SYNC_BACKOFF_MS"));
  if (g_getenv ("CLMRS_SYNC_ATTEMPTS") != NULL)
    config.max_attempts = atoi (g_getenv ("CLMRS_SYNC_ATTEMPTS"));
  ok = clmrs_sync_run (store, &config, NULL, show_progress, NULL, &report, &error);
  if (isatty (fileno (stderr)))
    fputc ('\n', stderr);
  printf ("sent %" G_GUINT64_FORMAT " records (%" G_GUINT64_FORMAT " stored, %" G_GUINT64_FORMAT
          " duplicates, %" G_GUINT64_FORMAT " conflicts, %" G_GUINT64_FORMAT " rejected), received %"
          G_GUINT64_FORMAT "; %" G_GUINT64_FORMAT " bytes up, %" G_GUINT64_FORMAT " bytes down, %u requests"
          " (%u retried), %.1f s; %" G_GINT64_FORMAT " still queued\n",
          report.records_sent, report.stored, report.duplicates, report.conflicts, report.rejected,
          report.pulled, report.bytes_up, report.bytes_down, report.requests, report.retries,
          report.seconds, report.queued_left);
  if (report.set_aside > 0)
    printf ("%" G_GUINT64_FORMAT " received record%s set aside: this device cannot apply %s (clmrs queue says why)\n",
            report.set_aside, report.set_aside == 1 ? "" : "s", report.set_aside == 1 ? "it" : "them");
  if (!ok)
    return clmrs_cli_fail (CLMRS_EXIT_FAILURE, "sync: %s", error->message);
  return CLMRS_EXIT_OK;
}
