/* test-media-sync.c: a support's photo goes to the server after its visit, in chunks that survive a dropped link; the server's limit; the file sealed at rest. */
#define _GNU_SOURCE   /* memmem */
#include "client.h"
#include "cryptvfs.h"
#include "demo.h"
#include "media.h"
#include "rules.h"
#include "store.h"
#include "util.h"
#include "visit.h"
#include "sync-harness.h"

#include "media-test-helpers.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <curl/curl.h>
#include <glib/gstdio.h>
#include <string.h>

#define PHOTO_REF "/support_record/support/photo"

typedef struct {
  SyncTestDevice   d;
  gboolean         dropped;   /* drop_after_two_chunks did */
} Fixture;

/* Progress: once two chunks of the photo are acknowledged, the link
 * drops (the connection the chunks share is cut) and every new
 * connection dies 1 KiB into its upload, so the third chunk never
 * arrives whole. */
static void
drop_after_two_chunks (const ClmrsSyncReport *so_far,
                       gpointer               user_data)
{
  Fixture *f = user_data;

  if (!f->dropped && so_far->media_bytes >= 2 * 16 * 1024)
    {
      f->dropped = TRUE;
      sync_proxy_set_fault (f->d.proxy, SYNC_PROXY_DROP_UP, 1024, 10);
      sync_proxy_cut (f->d.proxy);
    }
}

static char *
first_text (ClmrsStore *store, const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = clmrs_store_prepare (store, sql, &error);

  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

/* A support handed over to a household, recorded through the shipped
 * form with @photo kept as its answer (as the wizard does); returns the
 * visit's id, and the file's name in @name. */
static char *
record_support_with_photo (ClmrsStore  *store,
                           GBytes      *photo,
                           char       **name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsForm) form = clmrs_form_load_builtin ("support_record", &error);
  g_autoptr(ClmrsFormSession) session = NULL;
  g_autoptr(ClmrsRuleSet) rules = NULL;
  g_autofree char *household = first_text (store, "SELECT id FROM households ORDER BY id LIMIT 1");
  g_autofree char *community = first_text (store, "SELECT community_id FROM households ORDER BY id LIMIT 1");
  g_autofree char *country = first_text (store, "SELECT country FROM communities c JOIN households h"
                                                " ON h.community_id = c.id ORDER BY h.id LIMIT 1");
  g_autofree char *facilitator = first_text (store, "SELECT id FROM facilitators WHERE role = 'facilitator'"
                                                    " ORDER BY name LIMIT 1");
  g_autofree char *visit = NULL;
  static const char *const answers[][2] = {
    { "/support_record/support/level", "household" },
    { "/support_record/support/support_type", "vsla" },
    { "/support_record/support/state", "delivered" },
    { "/support_record/support/date", "2026-06-01" },
    { "/support_record/support/provider", "Cooperative" },
  };

  g_assert_no_error (error);
  rules = clmrs_rule_set_load_builtin (country, &error);
  g_assert_no_error (error);
  session = clmrs_form_session_new (form, &error);
  g_assert_no_error (error);
  visit = clmrs_store_draft_create (store, "support", "support_record", clmrs_form_get_version (form),
                                    facilitator, community, household, NULL, &error);
  g_assert_no_error (error);
  for (gsize i = 0; i < G_N_ELEMENTS (answers); i++)
    {
      g_assert_true (clmrs_form_session_set_answer (session, answers[i][0], answers[i][1], &error));
      g_assert_no_error (error);
    }
  *name = clmrs_media_attach (store, visit, PHOTO_REF, "image/png", "png", photo, 0, &error);
  g_assert_no_error (error);
  g_assert_true (clmrs_form_session_set_answer (session, PHOTO_REF, *name, &error));
  g_assert_no_error (error);
  g_assert_true (clmrs_visit_finalise (store, visit, session, rules, "2026-06-01", NULL, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&visit);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  ClmrsDemoOptions options = { .households = 4, .seed = 9, .until = "2026-06-30" };

  sync_test_device_setup (&f->d, data, NULL, &options, "tablet with a camera");
  f->d.config.media_chunk_bytes = 16 * 1024;
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  sync_test_device_teardown (&f->d);
}

static gint64
device_sent (Fixture *f, const char *name)
{
  g_autofree char *sql = g_strdup_printf ("SELECT sent FROM media WHERE name = '%s'", name);
  return sync_test_device_count (f->d.device_db, sql);
}

/* The files `clmrs-server export-media` writes: @name of @visit, byte for byte @expected. */
static void
assert_exported (Fixture    *f,
                 const char *visit,
                 const char *name,
                 GBytes     *expected)
{
  g_autofree char *out = g_build_filename (f->d.dir, "media-out", NULL);
  g_autofree char *path = g_build_filename (out, visit, name, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;

  g_free (sync_test_run_ok (sync_test_server_program (), "export-media", "--db", f->d.server_db, out, NULL));
  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (contents, length, g_bytes_get_data (expected, NULL), g_bytes_get_size (expected));
}

/* Every record of the demo device, sent on a good link. */
static void
sync_records_first (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  ClmrsSyncConfig direct = f->d.config;
  ClmrsSyncReport report;

  direct.server_url = f->d.server.url;
  g_assert_true (sync_test_device_sync (&f->d, &direct, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.stored, >, 10);
}

/* The link drops in the middle of the photo, and no retry is left: the
 * sync fails, the device keeps the file with the bytes the server
 * acknowledged.  Then an answer is lost (the device knows of less than
 * the server holds): the chunk sent again is stored once.  The healed
 * sync goes on from there, not from 0, and the server ends with the file
 * once, byte for byte. */
static void
test_chunked_resume (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GBytes) photo = test_noise_png (200, 160, 7);   /* about 96 KiB: six chunks of 16 KiB */
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *visit = NULL;
  g_autofree char *rewind = NULL;
  ClmrsSyncConfig once = f->d.config;
  ClmrsSyncReport report;
  gint64 size = (gint64) g_bytes_get_size (photo);
  gint64 acknowledged;

  sync_records_first (f);
  {
    g_autoptr(ClmrsStore) store = clmrs_store_open (f->d.device_db, &error);

    g_assert_no_error (error);
    visit = record_support_with_photo (store, photo, &name);
  }
  g_assert_cmpint (size, >, 5 * 16 * 1024);

  /* the visit's records go, then the link drops in the third chunk */
  once.max_attempts = 1;
  {
    g_autoptr(ClmrsStore) store = clmrs_store_open (f->d.device_db, NULL);

    g_assert_false (clmrs_sync_run (store, &once, NULL, drop_after_two_chunks, f, &report, &error));
  }
  g_assert_error (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_NETWORK);
  g_clear_error (&error);
  g_assert_true (f->dropped);
  g_assert_cmpuint (sync_proxy_faults_done (f->d.proxy), >=, 1);
  g_assert_cmpint (report.queued_left, ==, 0);
  acknowledged = device_sent (f, name);
  g_test_message ("after the drop the server acknowledged %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " bytes",
                  acknowledged, size);
  g_assert_cmpint (acknowledged, ==, 2 * 16 * 1024);
  g_assert_cmpint (sync_test_device_count (f->d.device_db, "SELECT count(*) FROM media WHERE acked IS NULL"), ==, 1);

  /* the second chunk's answer "lost": the device resends it */
  rewind = g_strdup_printf ("UPDATE media SET sent = %d WHERE name = '%s'", 16 * 1024, name);
  {
    g_autoptr(ClmrsStore) store = clmrs_store_open (f->d.device_db, &error);

    g_assert_no_error (error);
    g_assert_true (clmrs_store_exec (store, rewind, &error));
    g_assert_no_error (error);
  }

  /* healed: it goes on from there */
  sync_proxy_set_fault (f->d.proxy, SYNC_PROXY_PASS, 0, 0);
  g_assert_true (sync_test_device_sync (&f->d, &f->d.config, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.media_sent, ==, 1);
  /* from 16 KiB: the chunk at 16 KiB again (the server answers that it holds 32), then the rest */
  g_assert_cmpuint (report.media_bytes, ==, (guint64) (size - 16 * 1024));
  g_assert_cmpint (report.media_left, ==, 0);
  g_assert_cmpint (device_sent (f, name), ==, size);
  g_assert_cmpint (sync_test_device_count (f->d.device_db, "SELECT count(*) FROM media WHERE acked IS NULL"), ==, 0);
  assert_exported (f, visit, name, photo);

  /* a later sync sends nothing again */
  g_assert_true (sync_test_device_sync (&f->d, &f->d.config, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.media_sent, ==, 0);
  g_assert_cmpuint (report.media_bytes, ==, 0);
  g_assert_cmpuint (report.media_pruned, ==, 0);

  /* a month after the server held it, the handheld keeps only the row saying so */
  {
    g_autoptr(ClmrsStore) store = clmrs_store_open (f->d.device_db, &error);

    g_assert_no_error (error);
    g_assert_true (clmrs_store_exec (store, "UPDATE media SET acked = '2000-01-01T00:00:00Z'", &error));
    g_assert_no_error (error);
  }
  g_assert_true (sync_test_device_sync (&f->d, &f->d.config, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.media_pruned, ==, 1);
  g_assert_cmpint (sync_test_device_count (f->d.device_db, "SELECT length (content) FROM media"), ==, 0);
  g_assert_cmpint (device_sent (f, name), ==, size);
  g_assert_cmpuint (report.media_sent, ==, 0);
}

/* A file over the server's --max-media: 413 with the sizes; the records
 * are stored, the pull done, the file kept on the device, and the sync
 * says why. */
static void
test_server_limit (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GBytes) photo = test_noise_png (100, 100, 9);   /* about 30 KiB, over the 20K limit */
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *visit = NULL;
  g_autofree char *log = NULL;
  ClmrsSyncReport report;

  sync_records_first (f);
  {
    g_autoptr(ClmrsStore) store = clmrs_store_open (f->d.device_db, &error);

    g_assert_no_error (error);
    visit = record_support_with_photo (store, photo, &name);
  }
  g_assert_false (sync_test_device_sync (&f->d, &f->d.config, &report, &error));
  g_assert_error (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_REFUSED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "the server refused a media file, kept on this device"));
  g_assert_nonnull (strstr (error->message, "over this server's limit of 20 KiB for one file (--max-media)"));
  g_assert_cmpint (report.queued_left, ==, 0);
  g_assert_cmpint (report.media_left, ==, 1);
  g_assert_cmpint (device_sent (f, name), ==, 0);
  g_assert_cmpint (sync_test_device_count (f->d.device_db, "SELECT count(*) FROM media WHERE acked IS NULL"), ==, 1);
  /* the server said 413 from the headers, before reading the file */
  g_assert_true (g_file_get_contents (f->d.server.log, &log, NULL, NULL));
  g_assert_nonnull (strstr (log, "POST /api/v1/media/"));
  g_assert_nonnull (strstr (log, " 413 "));
}

/* On an encrypted device, a signature drawn (a PNG) is in no file of the
 * database without the key: `grep -a` for PNG's signature finds nothing.
 * On a plain store the same search finds it, so the search can. */
static void
test_sealed_at_rest (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *device = g_build_filename (f->d.dir, "sealed.db", NULL);
  g_autoptr(GBytes) drawing = test_noise_png (64, 32, 10);
  static const char png[] = "\x89PNG\r\n\x1a\n";
  g_autoptr(GError) error = NULL;

  g_free (sync_test_run_ok (sync_test_cli (), "--db", device, "demo", "--households", "3", "--seed", "3",
                            "--until", "2026-06-30", NULL));
  g_assert_true (clmrs_cryptvfs_is_encrypted (device));
  sync_test_sign_in_demo (device);
  for (guint pass = 0; pass < 2; pass++)
    {
      const char *path = pass == 0 ? device : f->d.device_db;
      guint found = 0;

      {
        g_autoptr(ClmrsStore) store = clmrs_store_open (path, &error);
        g_autofree char *name = NULL;
        g_autofree char *visit = NULL;

        g_assert_no_error (error);
        visit = record_support_with_photo (store, drawing, &name);
        g_assert_true (clmrs_store_exec (store, "PRAGMA wal_checkpoint (TRUNCATE)", &error));
        g_assert_no_error (error);
      }
      for (const char *const *s = (const char *[]) { "", "-wal", "-shm", ".keyring", NULL }; *s; s++)
        {
          g_autofree char *file = g_strconcat (path, *s, NULL);
          g_autofree char *bytes = NULL;
          gsize length;

          if (!g_file_get_contents (file, &bytes, &length, NULL))
            continue;
          if (memmem (bytes, length, png, 8) != NULL)
            found++;
        }
      g_test_message ("%s: PNG found in %u files", pass == 0 ? "encrypted" : "plain", found);
      g_assert_cmpuint (found, ==, pass == 0 ? 0 : 1);
    }
}

typedef struct {
  long     status;
  GString *body;
} ChunkReply;

static size_t
chunk_reply_cb (char *data, size_t size, size_t n, void *user_data)
{
  g_string_append_len (((ChunkReply *) user_data)->body, data, (gssize) (size * n));
  return size * n;
}

/* One media chunk POSTed by hand with @token: what a device's client
 * sends, with @name and @record as given (sha256 of @bytes, all of it). */
static ChunkReply
post_chunk (Fixture    *f,
            const char *token,
            const char *record,
            const char *name,
            GBytes     *bytes)
{
  g_autofree char *media_id = clmrs_uuid_new ();
  g_autofree char *url = g_strdup_printf ("%s/api/v1/media/%s", f->d.server.url, media_id);
  g_autofree char *auth = g_strdup_printf ("Authorization: Bearer %s", token);
  g_autofree char *record_header = g_strdup_printf ("X-Clmrs-Record: %s", record);
  g_autofree char *name_header = g_strdup_printf ("X-Clmrs-Name: %s", name);
  g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
  g_autofree char *sha_header = g_strdup_printf ("X-Clmrs-Sha256: %s", sha);
  g_autofree char *size_header = g_strdup_printf ("X-Clmrs-Size: %" G_GSIZE_FORMAT, g_bytes_get_size (bytes));
  const char *fixed[] = { "X-Clmrs-Question: /support_record/support/photo", "X-Clmrs-Media-Type: image/png",
                          "X-Clmrs-Offset: 0", "Content-Type: application/octet-stream", "Expect:" };
  ChunkReply reply = { 0, g_string_new (NULL) };
  struct curl_slist *headers = NULL;
  CURL *curl = curl_easy_init ();

  headers = curl_slist_append (headers, auth);
  headers = curl_slist_append (headers, record_header);
  headers = curl_slist_append (headers, name_header);
  headers = curl_slist_append (headers, sha_header);
  headers = curl_slist_append (headers, size_header);
  for (gsize i = 0; i < G_N_ELEMENTS (fixed); i++)
    headers = curl_slist_append (headers, fixed[i]);
  curl_easy_setopt (curl, CURLOPT_URL, url);
  curl_easy_setopt (curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt (curl, CURLOPT_POSTFIELDS, g_bytes_get_data (bytes, NULL));
  curl_easy_setopt (curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) g_bytes_get_size (bytes));
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, chunk_reply_cb);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, &reply);
  g_assert_cmpint (curl_easy_perform (curl), ==, CURLE_OK);
  curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &reply.status);
  curl_slist_free_all (headers);
  curl_easy_cleanup (curl);
  return reply;
}

/* A count on the server's store (SQLite or PostgreSQL). */
static gint64
server_count (const char *db,
              const char *sql)
{
  g_autofree char *text = sync_test_server_query (db, sql);

  g_assert_nonnull (text);
  return g_ascii_strtoll (text, NULL, 10);
}

static char *
meta_token (const char *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsStore) store = clmrs_store_open (db, NULL);
  char *token = NULL;

  g_assert_nonnull (store);
  g_assert_true (clmrs_store_get_meta (store, "sync_token", &token, &error));
  g_assert_no_error (error);
  return token;
}

/* The server takes a file only for a visit the sending device pushed and
 * may see, and only a file the visit's answers name: another device
 * enrolled for every community is told the visit is not one it pushed,
 * as is a device sending for a visit nobody pushed; a name the visit does
 * not give is refused; nothing is stored. */
static void
test_authority (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GBytes) photo = test_noise_png (40, 30, 11);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *visit = NULL;
  g_autofree char *token = NULL;
  g_autofree char *other_db = g_build_filename (f->d.dir, "other.db", NULL);
  g_autofree char *other_token = NULL;
  g_autofree char *unknown = clmrs_uuid_new ();
  ChunkReply reply;

  sync_records_first (f);
  {
    g_autoptr(ClmrsStore) store = clmrs_store_open (f->d.device_db, &error);

    g_assert_no_error (error);
    visit = record_support_with_photo (store, photo, &name);
  }
  token = meta_token (f->d.device_db);
  {
    g_autoptr(ClmrsStore) other = clmrs_store_open (other_db, &error);
    g_autofree char *code = sync_test_enrol_code (f->d.server_db, "all");
    ClmrsSyncConfig direct = { .server_url = f->d.server.url };

    g_assert_no_error (error);
    g_assert_true (clmrs_sync_enrol (other, &direct, code, "another tablet", &error));
    g_assert_no_error (error);
  }
  other_token = meta_token (other_db);

  /* the visit is not on the server yet: nobody may attach to it */
  reply = post_chunk (f, token, visit, name, photo);
  g_test_message ("%ld %s", reply.status, reply.body->str);
  g_assert_cmpint (reply.status, ==, 404);
  g_assert_nonnull (strstr (reply.body->str, "is not a visit this device pushed; send the visit first"));
  g_string_free (reply.body, TRUE);
  {
    ClmrsSyncConfig direct = f->d.config;
    ClmrsSyncReport report;

    direct.server_url = f->d.server.url;
    g_assert_true (sync_test_device_sync (&f->d, &direct, &report, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (report.media_sent, ==, 1);
  }
  /* another device, in scope but not the visit's */
  reply = post_chunk (f, other_token, visit, name, photo);
  g_test_message ("%ld %s", reply.status, reply.body->str);
  g_assert_cmpint (reply.status, ==, 404);
  g_assert_nonnull (strstr (reply.body->str, "is not a visit this device pushed"));
  g_string_free (reply.body, TRUE);
  /* a visit nobody pushed */
  reply = post_chunk (f, token, unknown, name, photo);
  g_assert_cmpint (reply.status, ==, 404);
  g_string_free (reply.body, TRUE);
  /* the owner, with a name its visit does not give */
  reply = post_chunk (f, token, visit, "0f0f0f0f.png", photo);
  g_test_message ("%ld %s", reply.status, reply.body->str);
  g_assert_cmpint (reply.status, ==, 400);
  g_assert_nonnull (strstr (reply.body->str, "names no file 0f0f0f0f.png"));
  g_string_free (reply.body, TRUE);
  /* only the owner's own file is on the server */
  g_assert_cmpint (server_count (f->d.server_db, "SELECT count (*) FROM media"), ==, 1);
  g_assert_cmpint (server_count (f->d.server_db, "SELECT count (*) FROM media_chunks"), ==, 0);
}

static const char *const limited[] = { "--max-media", "20K", NULL };

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/media-sync/chunked-resume", Fixture, NULL, fixture_setup, test_chunked_resume, fixture_teardown);
  g_test_add ("/media-sync/authority", Fixture, NULL, fixture_setup, test_authority, fixture_teardown);
  g_test_add ("/media-sync/server-limit", Fixture, limited, fixture_setup, test_server_limit, fixture_teardown);
  g_test_add ("/media-sync/sealed-at-rest", Fixture, NULL, fixture_setup, test_sealed_at_rest, fixture_teardown);
  return g_test_run ();
}
