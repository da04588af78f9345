/* test-server.c: the real clmrs-server on a loopback port, driven over HTTP with libcurl. */
#include "server.h"
#include "sync-harness.h"
#include "wire.h"

#include <curl/curl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>

#define C1 "11111111-1111-4111-8111-111111111111"
#define C2 "22222222-2222-4222-8222-222222222222"
#define AUTHOR "33333333-3333-4333-8333-333333333333"
#define DEVICE "44444444-4444-4444-8444-444444444444"

/* Small limits, so the bad-input tests stay small. */
#define MAX_BODY "65536"
#define MAX_INFLATED "1048576"
#define PAGE_BYTES "4096"

typedef struct {
  char        *dir;
  char        *db;
  char        *log;
  GSubprocess *server;
  char        *base;      /* http://127.0.0.1:PORT */
  gboolean     tls;       /* serve HTTPS with tests/data/tls-*.pem */
  char        *cainfo;    /* the CA file curl trusts, for HTTPS */
  guint        n_devices; /* enrolled so far */
} Fixture;

typedef struct {
  long        status;
  GString    *headers;
  GByteArray *body;
} Reply;

static void
reply_clear (Reply *r)
{
  if (r->headers != NULL)
    g_string_free (r->headers, TRUE);
  if (r->body != NULL)
    g_byte_array_unref (r->body);
  memset (r, 0, sizeof *r);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Reply, reply_clear)

/* Runs `clmrs-server ARGS...`; returns its exit status, stdout in @out. */
static int
admin (char       **out,
       const char  *first,
       ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  g_autoptr(GError) error = NULL;
  va_list args;
  int status = 0;

  g_ptr_array_add (argv, (char *) sync_test_server_program ());
  va_start (args, first);
  for (const char *a = first; a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) a);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &stdout_text, &stderr_text,
                &status, &error);
  g_assert_no_error (error);
  if (stderr_text != NULL && *stderr_text != '\0')
    g_test_message ("stderr: %s", stderr_text);
  if (out != NULL)
    *out = g_steal_pointer (&stdout_text);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static void
server_start (Fixture    *f,
              const char *rate)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) in = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  const char *prefix = "clmrs-server: listening on ";

  g_autofree char *cert = g_build_filename (g_getenv ("CLMRS_SOURCE_DIR"), "tests", "data", "tls-cert.pem", NULL);
  g_autofree char *key = g_build_filename (g_getenv ("CLMRS_SOURCE_DIR"), "tests", "data", "tls-key.pem", NULL);

  g_subprocess_launcher_set_stderr_file_path (launcher, f->log);
  if (f->tls)
    f->server = g_subprocess_launcher_spawn (launcher, &error, sync_test_server_program (), "serve", "--db", f->db,
                                             "--listen", "127.0.0.1:0", "--rate", rate,
                                             "--tls-cert", cert, "--tls-key", key, NULL);
  else
    f->server = g_subprocess_launcher_spawn (launcher, &error, sync_test_server_program (), "serve", "--db", f->db,
                                             "--listen", "127.0.0.1:0", "--max-body", MAX_BODY,
                                             "--max-inflated", MAX_INFLATED, "--rate", rate,
                                             "--page-bytes", PAGE_BYTES, NULL);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (f->server));
  line = g_data_input_stream_read_line (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, prefix));
  g_free (f->base);
  f->base = g_strdup (line + strlen (prefix));
}

static void
server_stop (Fixture *f,
             gboolean kill)
{
  g_autoptr(GError) error = NULL;

  if (f->server == NULL)
    return;
  if (kill)
    g_subprocess_force_exit (f->server);
  else
    g_subprocess_send_signal (f->server, SIGTERM);
  g_subprocess_wait (f->server, NULL, &error);
  g_assert_no_error (error);
  if (!kill)
    {
      g_assert_true (g_subprocess_get_if_exited (f->server));
      g_assert_cmpint (g_subprocess_get_exit_status (f->server), ==, 0);
    }
  g_clear_object (&f->server);
}

static void
fixture_setup_rate (Fixture    *f,
                    const char *rate)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("clmrs-server-XXXXXX", &error);
  g_assert_no_error (error);
  f->db = g_build_filename (f->dir, "server.db", NULL);
  f->log = g_build_filename (f->dir, "server.log", NULL);
  /* the envelopes' author is a person the server knows */
  g_free (sync_test_add_person (f->db, AUTHOR, "facilitator", "all"));
  server_start (f, rate);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  fixture_setup_rate (f, "0");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *log = NULL;

  server_stop (f, FALSE);
  /* The log never holds a token or child data. */
  if (g_file_get_contents (f->log, &log, NULL, NULL))
    {
      g_auto(GStrv) lines = g_strsplit (log, "\n", -1);

      g_assert_null (strstr (log, "Bearer"));
      g_assert_null (strstr (log, "Ama"));
      /* A request's log line cannot be split by its URL. */
      for (guint i = 0; lines[i] != NULL; i++)
        g_assert_false (g_str_has_prefix (lines[i], "injected"));
    }
  sync_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->db);
  g_free (f->log);
  g_free (f->base);
  g_free (f->cainfo);
}

/* ---- HTTP ----------------------------------------------------------------- */

typedef struct {
  const guint8 *data;
  gsize         length;
  gsize         pos;
} Upload;

static size_t
read_cb (char   *buffer,
         size_t  size,
         size_t  n,
         void   *data)
{
  Upload *up = data;
  gsize take = MIN (size * n, up->length - up->pos);

  memcpy (buffer, up->data + up->pos, take);
  up->pos += take;
  return take;
}

static size_t
write_cb (char   *ptr,
          size_t  size,
          size_t  n,
          void   *data)
{
  g_byte_array_append (data, (const guint8 *) ptr, (guint) (size * n));
  return size * n;
}

static size_t
header_cb (char   *ptr,
           size_t  size,
           size_t  n,
           void   *data)
{
  g_string_append_len (data, ptr, (gssize) (size * n));
  return size * n;
}

/* One request.  @headers is NULL-terminated "Name: value" strings.
 * Returns: libcurl's result (the transfer, not the HTTP status). */
static CURLcode
http_try (Fixture           *f,
      const char        *method,
      const char        *path,
      const char *const *headers,
      const void        *body,
      gsize              length,
      gboolean           chunked,
      Reply             *reply)
{
  CURL *curl = curl_easy_init ();
  struct curl_slist *list = NULL;
  g_autofree char *url = g_strconcat (f->base, path, NULL);
  Upload up = { body, length, 0 };
  CURLcode rc;

  reply->headers = g_string_new (NULL);
  reply->body = g_byte_array_new ();
  curl_easy_setopt (curl, CURLOPT_URL, url);
  curl_easy_setopt (curl, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, write_cb);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, reply->body);
  curl_easy_setopt (curl, CURLOPT_HEADERFUNCTION, header_cb);
  curl_easy_setopt (curl, CURLOPT_HEADERDATA, reply->headers);
  for (guint i = 0; headers != NULL && headers[i] != NULL; i++)
    list = curl_slist_append (list, headers[i]);
  list = curl_slist_append (list, "Expect:");
  if (strcmp (method, "POST") == 0)
    {
      curl_easy_setopt (curl, CURLOPT_POST, 1L);
      curl_easy_setopt (curl, CURLOPT_READFUNCTION, read_cb);
      curl_easy_setopt (curl, CURLOPT_READDATA, &up);
      if (chunked)
        list = curl_slist_append (list, "Transfer-Encoding: chunked");
      else
        curl_easy_setopt (curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) length);
    }
  else if (strcmp (method, "GET") != 0)
    curl_easy_setopt (curl, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt (curl, CURLOPT_HTTPHEADER, list);
  if (f->cainfo != NULL)
    curl_easy_setopt (curl, CURLOPT_CAINFO, f->cainfo);
  rc = curl_easy_perform (curl);
  curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &reply->status);
  curl_slist_free_all (list);
  curl_easy_cleanup (curl);
  return rc;
}

static void
http (Fixture           *f,
      const char        *method,
      const char        *path,
      const char *const *headers,
      const void        *body,
      gsize              length,
      gboolean           chunked,
      Reply             *reply)
{
  CURLcode rc = http_try (f, method, path, headers, body, length, chunked, reply);

  if (rc != CURLE_OK)
    g_error ("%s %s: %s", method, path, curl_easy_strerror (rc));
}

/* The value of response header @name, or NULL. */
static char *
header_value (Reply      *r,
              const char *name)
{
  g_auto(GStrv) lines = g_strsplit (r->headers->str, "\r\n", -1);
  gsize n = strlen (name);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_ascii_strncasecmp (lines[i], name, n) == 0 && lines[i][n] == ':')
      return g_strstrip (g_strdup (lines[i] + n + 1));
  return NULL;
}

static char *
body_text (Reply *r)
{
  return g_strndup ((const char *) r->body->data, r->body->len);
}

/* Asserts an error reply: @status, the code, and a message starting with @prefix. */
static void
assert_error (Reply      *r,
              long        status,
              const char *code,
              const char *prefix)
{
  g_autofree char *text = body_text (r);
  g_autofree char *got_code = NULL;
  g_autofree char *message = NULL;
  g_autofree char *type = header_value (r, "Content-Type");

  g_test_message ("reply %ld %s", r->status, text);
  g_assert_cmpint (r->status, ==, status);
  g_assert_cmpstr (type, ==, "application/json");
  g_assert_true (clmrs_wire_error_parse (text, strlen (text), &got_code, &message));
  g_assert_cmpstr (got_code, ==, code);
  if (!g_str_has_prefix (message, prefix))
    g_error ("message \"%s\" does not start with \"%s\"", message, prefix);
}

/* ---- Protocol helpers ------------------------------------------------------ */

static char *
make_code (const char *communities,
           const char *expires)
{
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  guint n;

  g_assert_cmpint (admin (&out, "enroll-code", "--db", g_getenv ("TEST_DB"), "--communities", communities,
                          "--expires", expires, NULL), ==, 0);
  lines = g_strsplit (g_strchomp (out), "\n", -1);
  n = g_strv_length (lines);
  g_assert_cmpuint (n, >=, 1);
  return g_strdup (lines[n - 1]);
}

typedef struct {
  char *device_id;
  char *token;
  char *auth;      /* "Authorization: Bearer ..." */
  char *local_id;  /* the id it stamps its envelopes with: DEVICE for the first one */
} Device;

static void
device_clear (Device *d)
{
  g_free (d->local_id);
  g_free (d->device_id);
  g_free (d->token);
  g_free (d->auth);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Device, device_clear)

static void
enrol (Fixture    *f,
        const char *communities,
        Device     *d)
{
  g_autofree char *code = make_code (communities, "1h");
  g_autofree char *body = g_strdup_printf ("{\"code\":\"%s\",\"device_name\":\"tablet\"}", code);
  g_auto(Reply) r = { 0 };
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *o;

  http (f, "POST", "/api/v1/enroll", NULL, body, strlen (body), FALSE, &r);
  text = body_text (&r);
  g_assert_cmpint (r.status, ==, 201);
  node = json_from_string (text, NULL);
  o = json_node_get_object (node);
  d->device_id = g_strdup (json_object_get_string_member (o, "device_id"));
  d->token = g_strdup (json_object_get_string_member (o, "token"));
  d->auth = g_strconcat ("Authorization: Bearer ", d->token, NULL);
  g_assert_true (g_uuid_string_is_valid (d->device_id));
  g_assert_cmpuint (strlen (d->token), >=, 40);
  /* each device signs its records with its own local id (the server binds
     it to the device at its first push) */
  d->local_id = f->n_devices++ == 0 ? g_strdup (DEVICE) : g_uuid_string_random ();
}

/* @ndjson as device @d sends it: its own local id in "device_id". */
static char *
as_device (Device     *d,
           const char *ndjson)
{
  g_auto(GStrv) parts = g_strsplit (ndjson, DEVICE, -1);

  return g_strjoinv (d->local_id, parts);
}

static char *
envelope (const char *type,
          const char *id,
          int         rev,
          const char *community,
          const char *body)
{
  return g_strdup_printf ("{\"v\":1,\"id\":\"%s\",\"type\":\"%s\",\"rev\":%d,\"device_id\":\"" DEVICE "\","
                          "\"author\":\"" AUTHOR "\",\"community_id\":\"%s\","
                          "\"created\":\"2026-11-23T09:00:00Z\",\"modified\":\"2026-11-23T09:00:00Z\","
                          "\"schema\":\"clmrs.%s@1\",\"rules\":null,\"body\":%s}",
                          id, type, rev, community, type, body);
}

static char *
household (const char *id,
           int         rev,
           const char *community,
           const char *head)
{
  g_autofree char *body = g_strdup_printf ("{\"head_name\":\"%s\",\"head_sex\":\"female\"}", head);

  return envelope ("household", id, rev, community, body);
}

/* POSTs @ndjson gzip'd as a batch with key @key (a new one when NULL). */
static void
push (Fixture    *f,
      Device     *d,
      const char *ndjson,
      const char *key,
      Reply      *r)
{
  g_autofree char *own = as_device (d, ndjson);
  g_autoptr(GBytes) gz = clmrs_gzip_compress (own, strlen (own), NULL);
  g_autofree char *fresh = g_uuid_string_random ();
  g_autofree char *key_header = g_strconcat ("Idempotency-Key: ", key != NULL ? key : fresh, NULL);
  const char *headers[] = { d->auth, "Content-Encoding: gzip", "Content-Type: application/x-ndjson",
                            key_header, NULL };

  http (f, "POST", "/api/v1/push", headers, g_bytes_get_data (gz, NULL), g_bytes_get_size (gz), FALSE, r);
}

/* The result of each line of a push reply, "stored,duplicate,...", read
 * with the wire library's parser (the one the client uses). */
static char *
results_of (Reply *r)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = NULL;
  GString *out = g_string_new (NULL);

  g_assert_cmpint (r->status, ==, 200);
  results = clmrs_push_response_parse ((const char *) r->body->data, r->body->len, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < results->len; i++)
    {
      ClmrsPushResult *result = results->pdata[i];

      g_string_append_printf (out, "%s%s", i > 0 ? "," : "", clmrs_push_outcome_to_string (result->outcome));
      g_assert_cmpuint (result->line, >=, 1);
      g_assert_true (g_uuid_string_is_valid (result->id));
      g_assert_cmpint (result->rev, >=, 1);
      g_assert_true ((result->reason != NULL) == (result->outcome == CLMRS_PUSH_REJECTED));
    }
  return g_string_free (out, FALSE);
}

/* One pull page; returns the decompressed NDJSON. */
static char *
pull (Fixture    *f,
      Device     *d,
      const char *query,
      char      **cursor,
      gboolean   *has_more)
{
  g_autofree char *path = g_strconcat ("/api/v1/pull", query, NULL);
  const char *headers[] = { d->auth, NULL };
  g_auto(Reply) r = { 0 };
  g_autoptr(GBytes) page = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *encoding = NULL;
  g_autofree char *more = NULL;

  http (f, "GET", path, headers, NULL, 0, FALSE, &r);
  g_assert_cmpint (r.status, ==, 200);
  encoding = header_value (&r, "Content-Encoding");
  g_assert_cmpstr (encoding, ==, "gzip");
  page = clmrs_gzip_decompress (r.body->data, r.body->len, 64 * 1024 * 1024, &error);
  g_assert_no_error (error);
  if (cursor != NULL)
    *cursor = header_value (&r, "X-Clmrs-Cursor");
  more = header_value (&r, "X-Clmrs-Has-More");
  g_assert_true (g_strcmp0 (more, "true") == 0 || g_strcmp0 (more, "false") == 0);
  if (has_more != NULL)
    *has_more = g_strcmp0 (more, "true") == 0;
  if (g_bytes_get_size (page) == 0)
    return g_strdup ("");
  return g_strndup (g_bytes_get_data (page, NULL), g_bytes_get_size (page));
}

static gint64
stat_of (const char *name)
{
  g_autofree char *out = NULL;
  g_autoptr(JsonNode) node = NULL;

  g_assert_cmpint (admin (&out, "stats", "--db", g_getenv ("TEST_DB"), "--json", NULL), ==, 0);
  node = json_from_string (out, NULL);
  g_assert_nonnull (node);
  return json_object_get_int_member (json_node_get_object (node), name);
}

static void
use_db (Fixture *f)
{
  g_setenv ("TEST_DB", f->db, TRUE);
}

/* ---- Tests ------------------------------------------------------------------- */

static void
test_health (Fixture       *f,
             gconstpointer  data)
{
  g_auto(Reply) r = { 0 };
  g_auto(Reply) missing = { 0 };
  g_auto(Reply) method = { 0 };
  g_autofree char *text = NULL;
  g_autofree char *allow = NULL;

  http (f, "GET", "/api/v1/health", NULL, NULL, 0, FALSE, &r);
  text = body_text (&r);
  g_assert_cmpint (r.status, ==, 200);
  g_assert_nonnull (strstr (text, "\"server\":\"clmrs-server\""));
  g_assert_nonnull (strstr (text, "\"version\":"));
  g_assert_true (g_regex_match_simple ("\"time\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\"", text, 0, 0));

  http (f, "GET", "/api/v1/nothing", NULL, NULL, 0, FALSE, &missing);
  assert_error (&missing, 404, "not_found", "/api/v1/nothing: no such endpoint");
  {
    g_auto(Reply) injected = { 0 };

    http (f, "GET", "/api/v1/x%0Ainjected%0D", NULL, NULL, 0, FALSE, &injected);
    assert_error (&injected, 404, "not_found", "/api/v1/x?injected?: no such endpoint");
  }
  http (f, "DELETE", "/api/v1/health", NULL, NULL, 0, FALSE, &method);
  assert_error (&method, 405, "method_not_allowed", "/api/v1/health: use GET or HEAD, not DELETE");
  allow = header_value (&method, "Allow");
  g_assert_cmpstr (allow, ==, "GET, HEAD");
}

static void
test_enrol (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *code = NULL;
  g_autofree char *expired = NULL;
  g_autofree char *body = NULL;
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *o;
  JsonArray *communities;
  const struct {
    const char *body;
    long        status;
    const char *code;
    const char *prefix;
  } bad[] = {
    { "{\"code\":", 400, "malformed_json", "line 1: malformed JSON" },
    { "[]", 400, "bad_request", "expected a JSON object" },
    { "{\"device_name\":\"t\"}", 400, "bad_request", "code: expected a non-empty string" },
    { "{\"code\":\"X\"}", 400, "bad_request", "device_name: expected a string" },
    { "{\"code\":\"AAAA-BBBB-CCCC-DDDD\",\"device_name\":\"t\"}", 401, "invalid_code", "code: no such enrolment code" },
  };

  use_db (f);
  code = make_code (C1 "," C2, "7d");
  g_assert_true (g_regex_match_simple ("^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$", code, 0, 0));

  /* Good: lower case, and spaces for hyphens or none, are forgiven. */
  {
    g_autofree char *lower = g_ascii_strdown (code, -1);
    g_auto(Reply) r = { 0 };

    g_strdelimit (lower, "-", ' ');
    body = g_strdup_printf ("{\"code\":\" %s \",\"device_name\":\"Tablet 7\"}", lower);
    http (f, "POST", "/api/v1/enroll", NULL, body, strlen (body), FALSE, &r);
    text = body_text (&r);
    g_assert_cmpint (r.status, ==, 201);
    node = json_from_string (text, NULL);
    o = json_node_get_object (node);
    g_assert_true (g_uuid_string_is_valid (json_object_get_string_member (o, "device_id")));
    g_assert_cmpuint (strlen (json_object_get_string_member (o, "token")), ==, 43);
    g_assert_false (json_object_get_boolean_member (o, "all_communities"));
    communities = json_object_get_array_member (o, "communities");
    g_assert_cmpuint (json_array_get_length (communities), ==, 2);
    g_assert_cmpstr (json_array_get_string_element (communities, 0), ==, C1);
    g_assert_cmpstr (json_array_get_string_element (communities, 1), ==, C2);
  }

  /* Reused. */
  {
    g_auto(Reply) r = { 0 };

    http (f, "POST", "/api/v1/enroll", NULL, body, strlen (body), FALSE, &r);
    assert_error (&r, 410, "code_used", "code: this enrolment code was already used");
  }

  /* Expired. */
  expired = make_code ("all", "1s");
  g_usleep (2100 * 1000);
  {
    g_autofree char *b = g_strdup_printf ("{\"code\":\"%s\",\"device_name\":\"t\"}", expired);
    g_auto(Reply) r = { 0 };

    http (f, "POST", "/api/v1/enroll", NULL, b, strlen (b), FALSE, &r);
    assert_error (&r, 410, "code_expired", "code: this enrolment code has expired");
  }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_auto(Reply) r = { 0 };

      http (f, "POST", "/api/v1/enroll", NULL, bad[i].body, strlen (bad[i].body), FALSE, &r);
      assert_error (&r, bad[i].status, bad[i].code, bad[i].prefix);
    }

  /* Administrative mistakes are usage errors. */
  g_assert_cmpint (admin (NULL, "enroll-code", "--db", f->db, "--communities", "not-a-uuid", NULL), ==, 2);
  g_assert_cmpint (admin (NULL, "enroll-code", "--db", f->db, "--communities", C1, "--expires", "soon", NULL),
                   ==, 2);
  g_assert_cmpint (stat_of ("devices"), ==, 1);
}

/* With `Prefer: return=minimal` only the records not stored are listed,
 * and the answer says so, also when it is replayed to a request without
 * the header; without it, every record is listed. */
static void
test_push_minimal (Fixture       *f,
                   gconstpointer  data)
{
  g_auto(Device) d = { 0 };
  g_autofree char *id1 = g_uuid_string_random ();
  g_autofree char *id2 = g_uuid_string_random ();
  g_autofree char *id3 = g_uuid_string_random ();
  g_autofree char *key = g_uuid_string_random ();
  g_autofree char *key_header = g_strconcat ("Idempotency-Key: ", key, NULL);
  g_autofree char *h1 = NULL, *h2 = NULL, *outside = NULL, *batch = NULL, *text = NULL, *replayed = NULL;
  g_autofree char *applied = NULL, *results = NULL;
  g_autoptr(GBytes) gz = NULL;
  g_auto(Reply) r1 = { 0 };
  g_auto(Reply) r2 = { 0 };

  use_db (f);
  enrol (f, C1, &d);
  h1 = household (id1, 1, C1, "Ama");
  h2 = household (id2, 1, C1, "Kofi");
  outside = household (id3, 1, C2, "Yaw");
  batch = g_strdup_printf ("%s\n%s\n%s\n", h1, outside, h2);
  gz = clmrs_gzip_compress (batch, strlen (batch), NULL);
  http (f, "POST", "/api/v1/push",
        (const char *[]) { d.auth, "Content-Encoding: gzip", key_header, "Prefer: return=minimal", NULL },
        g_bytes_get_data (gz, NULL), g_bytes_get_size (gz), FALSE, &r1);
  g_assert_cmpint (r1.status, ==, 200);
  text = body_text (&r1);
  g_assert_true (g_str_has_prefix (text, "{\"results\":[{\"line\":2,"));
  g_assert_nonnull (strstr (text, "\"omitted\":\"stored\",\"stored\":2,\"duplicate\":0,\"conflict\":0,\"rejected\":1}"));
  g_assert_null (strstr (text, id1));
  g_assert_null (strstr (text, id2));
  results = results_of (&r1);
  g_assert_cmpstr (results, ==, "rejected");
  applied = header_value (&r1, "Preference-Applied");
  g_assert_cmpstr (applied, ==, "return=minimal");
  g_assert_cmpint (stat_of ("records"), ==, 2);

  /* the stored answer, byte for byte, still self-describing */
  push (f, &d, batch, key, &r2);
  replayed = body_text (&r2);
  g_assert_cmpstr (replayed, ==, text);

  /* without the header: every line */
  {
    g_autofree char *id4 = g_uuid_string_random ();
    g_autofree char *h4 = household (id4, 1, C1, "Esi");
    g_autofree char *both = g_strdup_printf ("%s\n%s\n", h1, h4);
    g_auto(Reply) r3 = { 0 };
    g_autofree char *all = NULL;

    push (f, &d, both, NULL, &r3);
    all = results_of (&r3);
    g_assert_cmpstr (all, ==, "duplicate,stored");
    g_assert_null (header_value (&r3, "Preference-Applied"));
  }
}

static void
test_push_results (Fixture       *f,
                   gconstpointer  data)
{
  g_auto(Device) d = { 0 };
  g_autofree char *h1 = NULL, *h2 = NULL, *h1_reordered = NULL, *h1_other = NULL, *outside = NULL;
  g_autofree char *child_wrong = NULL, *batch1 = NULL, *batch2 = NULL, *results = NULL;
  g_autofree char *exported = NULL;
  g_auto(Reply) r1 = { 0 };
  g_auto(Reply) r2 = { 0 };
  g_autofree char *id1 = g_uuid_string_random ();
  g_autofree char *id2 = g_uuid_string_random ();
  g_autofree char *id3 = g_uuid_string_random ();
  g_autofree char *id4 = g_uuid_string_random ();

  use_db (f);
  enrol (f, C1, &d);
  h1 = household (id1, 1, C1, "Ama");
  h2 = household (id2, 1, C1, "Kofi");
  batch1 = g_strdup_printf ("%s\n%s\n", h1, h2);
  push (f, &d, batch1, NULL, &r1);
  results = results_of (&r1);
  g_assert_cmpstr (results, ==, "stored,stored");
  g_clear_pointer (&results, g_free);

  /* Same content with other key order and spacing: a duplicate.  Same id
   * and rev, other content: a conflict.  Outside the device's communities:
   * rejected.  A child whose household is nowhere: rejected, naming the
   * member (what it points at must be stored first). */
  h1_reordered = g_strdup_printf ("{ \"body\" : { \"head_sex\" : \"female\", \"head_name\" : \"Ama\" },"
                                  " \"rules\": null, \"schema\": \"clmrs.household@1\","
                                  " \"modified\": \"2026-11-23T09:00:00Z\", \"created\": \"2026-11-23T09:00:00Z\","
                                  " \"community_id\": \"" C1 "\", \"author\": \"" AUTHOR "\","
                                  " \"device_id\": \"" DEVICE "\", \"rev\": 1, \"type\": \"household\","
                                  " \"id\": \"%s\", \"v\": 1 }", id1);
  h1_other = household (id1, 1, C1, "Ama Mensah");
  outside = household (id3, 1, C2, "Yaw");
  {
    g_autofree char *body = g_strdup_printf ("{\"household_id\":\"%s\",\"name\":\"Esi\",\"sex\":\"female\","
                                             "\"dob\":null}", id3);

    child_wrong = envelope ("child", id4, 1, C1, body);
  }
  batch2 = g_strdup_printf ("%s\n%s\r\n\n%s\n%s\n%s\n", h1, h1_reordered, h1_other, outside, child_wrong);
  push (f, &d, batch2, NULL, &r2);
  results = results_of (&r2);
  g_assert_cmpstr (results, ==, "duplicate,duplicate,conflict,rejected,rejected");
  {
    g_autofree char *text = body_text (&r2);

    g_assert_nonnull (strstr (text, "\"line\":4,"));    /* the blank line 3 is counted */
    g_assert_nonnull (strstr (text, "\"reason\":\"community_id: " C2 " is not one of this device's communities\""));
    g_assert_nonnull (strstr (text, "\"stored\":0,\"duplicate\":2,\"conflict\":1,\"rejected\":2"));
    g_assert_nonnull (strstr (text, "body.household_id: no household"));
  }

  /* The conflict is kept aside; the stored revision is untouched. */
  g_assert_cmpint (stat_of ("records"), ==, 2);
  g_assert_cmpint (stat_of ("conflicts"), ==, 1);
  g_assert_cmpint (admin (&exported, "export", "--db", f->db, "--ndjson", NULL), ==, 0);
  g_assert_nonnull (strstr (exported, "\"Ama\""));
  g_assert_null (strstr (exported, "Ama Mensah"));

  /* The same conflict again is not stored twice. */
  {
    g_auto(Reply) r3 = { 0 };
    g_autofree char *again = NULL;

    push (f, &d, h1_other, NULL, &r3);
    again = results_of (&r3);
    g_assert_cmpstr (again, ==, "conflict");
    g_assert_cmpint (stat_of ("conflicts"), ==, 1);
  }

  /* A child of a household in another community is rejected by reference. */
  {
    g_auto(Device) all = { 0 };
    g_autofree char *h_c2 = household (id3, 1, C2, "Yaw");
    g_autofree char *child_id = g_uuid_string_random ();
    g_autofree char *body = g_strdup_printf ("{\"household_id\":\"%s\",\"name\":\"Esi\"}", id3);
    g_autofree char *child = envelope ("child", child_id, 1, C1, body);
    g_autofree char *batch = g_strdup_printf ("%s\n%s\n", h_c2, child);
    g_auto(Reply) r4 = { 0 };
    g_autofree char *res = NULL;
    g_autofree char *text = NULL;

    enrol (f, "all", &all);
    push (f, &all, batch, NULL, &r4);
    res = results_of (&r4);
    g_assert_cmpstr (res, ==, "stored,rejected");
    text = body_text (&r4);
    g_assert_nonnull (strstr (text, "body.household_id: no household"));
    /* the same words as for a household that does not exist at all:
       nothing is told about another community */
    g_assert_nonnull (strstr (text, "in this community"));
  }
}

/* A follow-up visit's body for @child of household @hh, correcting the
 * visit @corrects (or none). */
static char *
follow_up (const char *hh,
           const char *child,
           const char *corrects)
{
  return g_strdup_printf ("{\"kind\":\"follow_up\",\"household_id\":\"%s\",\"child_id\":\"%s\","
                          "\"date\":\"2026-06-01\",\"answers\":{}%s%s%s}", hh, child,
                          corrects ? ",\"corrects\":\"" : "", corrects ? corrects : "", corrects ? "\"" : "");
}

/* A visit correcting a returned one (body.corrects) is stored when that
 * visit is of its kind, household and child, and rejected, naming what
 * differs, when it is not (or is not there). */
static void
test_push_correction (Fixture       *f,
                      gconstpointer  data)
{
  g_auto(Device) d = { 0 };
  g_autofree char *hh = g_uuid_string_random ();
  g_autofree char *c1 = g_uuid_string_random ();
  g_autofree char *c2 = g_uuid_string_random ();
  g_autofree char *visit = g_uuid_string_random ();
  g_autofree char *good = g_uuid_string_random ();
  g_autofree char *other = g_uuid_string_random ();
  g_autofree char *nowhere = g_uuid_string_random ();
  g_autofree char *h = household (hh, 1, C1, "Ama");
  g_autofree char *b1 = g_strdup_printf ("{\"household_id\":\"%s\",\"name\":\"Esi\"}", hh);
  g_autofree char *b2 = g_strdup_printf ("{\"household_id\":\"%s\",\"name\":\"Kofi\"}", hh);
  g_autofree char *e1 = envelope ("child", c1, 1, C1, b1);
  g_autofree char *e2 = envelope ("child", c2, 1, C1, b2);
  g_autofree char *vb = follow_up (hh, c1, NULL);
  g_autofree char *gb = follow_up (hh, c1, visit);
  g_autofree char *ob = follow_up (hh, c2, visit);
  g_autofree char *nb = follow_up (hh, c1, nowhere);
  g_autofree char *ve = envelope ("visit", visit, 1, C1, vb);
  g_autofree char *ge = envelope ("visit", good, 1, C1, gb);
  g_autofree char *oe = envelope ("visit", other, 1, C1, ob);
  g_autofree char *third = g_uuid_string_random ();
  g_autofree char *ne = envelope ("visit", third, 1, C1, nb);
  g_autofree char *first = g_strdup_printf ("%s\n%s\n%s\n%s\n", h, e1, e2, ve);
  g_autofree char *second = g_strdup_printf ("%s\n%s\n%s\n", oe, ne, ge);
  g_auto(Reply) r1 = { 0 };
  g_auto(Reply) r2 = { 0 };
  g_autofree char *res1 = NULL, *res2 = NULL, *text = NULL;

  use_db (f);
  enrol (f, C1, &d);
  push (f, &d, first, NULL, &r1);
  res1 = results_of (&r1);
  g_assert_cmpstr (res1, ==, "stored,stored,stored,stored");
  push (f, &d, second, NULL, &r2);
  res2 = results_of (&r2);
  g_assert_cmpstr (res2, ==, "rejected,rejected,stored");
  text = body_text (&r2);
  g_assert_nonnull (strstr (text, "body.corrects: visit"));
  g_assert_nonnull (strstr (text, "has another child_id"));
  g_assert_nonnull (strstr (text, "body.corrects: no visit"));
}

/* What one batch decides about its own records, as if each had been
 * pushed alone (the server reads the owners and revisions a batch names
 * once, then keeps them up to date record by record): two revisions of a
 * record, the same revision again (duplicate) and with other content
 * (conflict), children and visits pointing at records earlier in the
 * batch, a correction checked against a visit of the same batch; the
 * owner's highest revision is the batch's, and the records are pulled in
 * the order decided (a household before its children). */
static void
test_push_one_batch (Fixture       *f,
                     gconstpointer  data)
{
  g_auto(Device) d = { 0 };
  g_auto(Device) reader = { 0 };
  g_autofree char *hh = g_uuid_string_random ();
  g_autofree char *c1 = g_uuid_string_random ();
  g_autofree char *c2 = g_uuid_string_random ();
  g_autofree char *visit = g_uuid_string_random ();
  g_autofree char *good = g_uuid_string_random ();
  g_autofree char *other = g_uuid_string_random ();
  g_autofree char *h1 = household (hh, 1, C1, "Ama");
  g_autofree char *h2 = household (hh, 2, C1, "Ama Mensah");
  g_autofree char *h2_other = household (hh, 2, C1, "Ama Owusu");
  g_autofree char *h_far = household (hh, 2 + SERVER_MAX_REV_STEP, C1, "Ama Boateng");
  g_autofree char *b1 = g_strdup_printf ("{\"household_id\":\"%s\",\"name\":\"Esi\"}", hh);
  g_autofree char *b2 = g_strdup_printf ("{\"household_id\":\"%s\",\"name\":\"Kofi\"}", hh);
  g_autofree char *e1 = envelope ("child", c1, 1, C1, b1);
  g_autofree char *e2 = envelope ("child", c2, 1, C1, b2);
  g_autofree char *vb = follow_up (hh, c1, NULL);
  g_autofree char *gb = follow_up (hh, c1, visit);
  g_autofree char *ob = follow_up (hh, c2, visit);
  g_autofree char *ve = envelope ("visit", visit, 1, C1, vb);
  g_autofree char *ge = envelope ("visit", good, 1, C1, gb);
  g_autofree char *oe = envelope ("visit", other, 1, C1, ob);
  /* children and visits first in the batch: decided after the household */
  g_autofree char *batch = g_strdup_printf ("%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n", e1, e2, ve, ge, oe,
                                            h1, h2, h2, h2_other);
  g_auto(Reply) r1 = { 0 };
  g_auto(Reply) r2 = { 0 };
  g_autofree char *res1 = NULL, *res2 = NULL, *text = NULL, *page = NULL;
  const char *order[] = { hh, c1, c2, visit, good };

  use_db (f);
  enrol (f, C1, &d);
  push (f, &d, batch, NULL, &r1);
  res1 = results_of (&r1);
  g_assert_cmpstr (res1, ==, "stored,stored,stored,stored,rejected,stored,stored,duplicate,conflict");
  text = body_text (&r1);
  g_assert_nonnull (strstr (text, "has another child_id"));
  g_assert_cmpint (stat_of ("records"), ==, 6);
  g_assert_cmpint (stat_of ("conflicts"), ==, 1);

  /* the owner's highest revision is 2: 2 + SERVER_MAX_REV_STEP is allowed */
  push (f, &d, h_far, NULL, &r2);
  res2 = results_of (&r2);
  g_assert_cmpstr (res2, ==, "stored");

  enrol (f, C1, &reader);
  page = pull (f, &reader, "?cursor=0", NULL, NULL);
  for (guint i = 1; i < G_N_ELEMENTS (order); i++)
    {
      const char *before = strstr (page, order[i - 1]);
      const char *after = strstr (page, order[i]);

      g_assert_nonnull (before);
      g_assert_nonnull (after);
      g_assert_true (before < after);
    }
  g_assert_nonnull (strstr (page, "Ama Boateng"));
  g_assert_null (strstr (page, "Ama Owusu"));
}

/* A "\u0000" in a string: json-glib would cut the string there, so a
 * changed revision hashed as the stored one (answered duplicate, its
 * content dropped) and an id "<uuid>\u0000/../.." read as the UUID.  The
 * whole batch is refused, naming the line and the field; nothing stored. */
static void
test_push_nul (Fixture       *f,
               gconstpointer  data)
{
  g_auto(Device) d = { 0 };
  g_auto(Reply) r1 = { 0 };
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *other = g_uuid_string_random ();
  g_autofree char *stored = household (id, 1, C1, "Ama");
  g_autofree char *results = NULL;
  g_autofree char *exported = NULL;
  const struct {
    const char *body;      /* NULL: the id holds the NUL */
    const char *message;
  } cases[] = {
    { "{\"head_name\":\"Ama\\u0000 Mensah\",\"head_sex\":\"female\"}",
      "line 2: body.head_name: a string holds a NUL character (\\u0000)" },
    { "{\"head_name\":\"Ama\",\"head_sex\":\"female\",\"members\":[{\"name\":\"Esi\"},{\"name\":\"\\u0000\"}]}",
      "line 2: body.members[1].name: a string holds a NUL character (\\u0000)" },
    { "{\"head_name\":\"Ama\",\"head\\u0000_sex\":\"female\"}",
      "line 2: body: a member name holds a NUL character (\\u0000)" },
    { NULL, "line 2: id: a string holds a NUL character (\\u0000)" },
  };

  use_db (f);
  enrol (f, C1, &d);
  push (f, &d, stored, NULL, &r1);
  results = results_of (&r1);
  g_assert_cmpstr (results, ==, "stored");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(Reply) r = { 0 };
      g_autofree char *line = NULL;
      g_autofree char *batch = NULL;
      g_autofree char *good = household (other, 1, C1, "Kofi");

      if (cases[i].body != NULL)
        line = envelope ("household", id, 1, C1, cases[i].body);
      else
        {
          g_autofree char *bad_id = g_strconcat (id, "\\u0000/../..", NULL);

          line = household (bad_id, 1, C1, "Ama");
        }
      /* a good line first: the refusal is the whole batch's */
      batch = g_strdup_printf ("%s\n%s\n", good, line);
      g_test_message ("case %u", i);
      push (f, &d, batch, NULL, &r);
      assert_error (&r, 400, "invalid_envelope", cases[i].message);
      g_assert_cmpint (stat_of ("records"), ==, 1);
      g_assert_cmpint (stat_of ("conflicts"), ==, 0);
    }
  g_assert_cmpint (admin (&exported, "export", "--db", f->db, "--ndjson", NULL), ==, 0);
  g_assert_nonnull (strstr (exported, "\"Ama\""));
  g_assert_null (strstr (exported, "Kofi"));
}

static void
test_idempotency (Fixture       *f,
                  gconstpointer  data)
{
  g_auto(Device) d = { 0 };
  g_autofree char *key = g_uuid_string_random ();
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *h = household (id, 1, C1, "Ama");
  g_autofree char *h2 = household (id, 2, C1, "Ama");
  g_autofree char *replayed = NULL;
  g_auto(Reply) first = { 0 };
  g_auto(Reply) again = { 0 };
  g_auto(Reply) other = { 0 };

  use_db (f);
  enrol (f, C1, &d);
  push (f, &d, h, key, &first);
  g_assert_cmpint (first.status, ==, 200);
  push (f, &d, h, key, &again);
  g_assert_cmpint (again.status, ==, 200);
  g_assert_cmpmem (first.body->data, first.body->len, again.body->data, again.body->len);
  replayed = header_value (&again, "X-Clmrs-Replayed");
  g_assert_cmpstr (replayed, ==, "true");
  g_assert_cmpint (stat_of ("batches"), ==, 1);

  push (f, &d, h2, key, &other);
  assert_error (&other, 422, "idempotency_key_reused", "Idempotency-Key: ");
  g_assert_cmpint (stat_of ("records"), ==, 1);

  /* Responses older than 30 days are forgotten at start; a retry that
   * late is decided afresh: the record is a duplicate, nothing doubles. */
  {
    g_auto(Reply) late = { 0 };
    g_autofree char *results = NULL;
    g_autofree char *late_replayed = NULL;

    server_stop (f, FALSE);
    sync_test_server_exec (f->db, "UPDATE idempotency SET created = '2000-01-01T00:00:00Z'");
    server_start (f, "0");
    g_assert_cmpint (stat_of ("batches"), ==, 0);
    push (f, &d, h, key, &late);
    results = results_of (&late);
    g_assert_cmpstr (results, ==, "duplicate");
    late_replayed = header_value (&late, "X-Clmrs-Replayed");
    g_assert_cmpstr (late_replayed, ==, "false");
    g_assert_cmpint (stat_of ("records"), ==, 1);
  }
}

/* A large push answer comes gzip'd when the client accepts gzip; a replay
 * gives the same bytes. */
static void
test_push_response_gzip (Fixture       *f,
                         gconstpointer  data)
{
  g_auto(Device) d = { 0 };
  g_autoptr(GString) batch = g_string_new (NULL);
  g_autoptr(GBytes) gz = NULL;
  g_autofree char *key = g_strconcat ("Idempotency-Key: ", DEVICE, NULL);
  const char *headers[] = { NULL, "Content-Encoding: gzip", "Accept-Encoding: br, gzip;q=0.8", key, NULL };
  g_auto(Reply) first = { 0 };
  g_auto(Reply) again = { 0 };
  g_auto(Reply) plain = { 0 };
  g_autoptr(GBytes) inflated = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autofree char *encoding = NULL;
  g_autofree char *encoding_plain = NULL;

  use_db (f);
  enrol (f, C1, &d);
  headers[0] = d.auth;
  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *id = g_uuid_string_random ();
      g_autofree char *h = household (id, 1, C1, "Many");

      g_string_append_printf (batch, "%s\n", h);
    }
  gz = clmrs_gzip_compress (batch->str, batch->len, NULL);
  http (f, "POST", "/api/v1/push", headers, g_bytes_get_data (gz, NULL), g_bytes_get_size (gz), FALSE, &first);
  g_assert_cmpint (first.status, ==, 200);
  encoding = header_value (&first, "Content-Encoding");
  g_assert_cmpstr (encoding, ==, "gzip");
  inflated = clmrs_gzip_decompress (first.body->data, first.body->len, 1024 * 1024, NULL);
  g_assert_nonnull (inflated);
  results = clmrs_push_response_parse (g_bytes_get_data (inflated, NULL), g_bytes_get_size (inflated), NULL, NULL);
  g_assert_nonnull (results);
  g_assert_cmpuint (results->len, ==, 40);

  http (f, "POST", "/api/v1/push", headers, g_bytes_get_data (gz, NULL), g_bytes_get_size (gz), FALSE, &again);
  g_assert_cmpmem (first.body->data, first.body->len, again.body->data, again.body->len);

  /* Without Accept-Encoding, the replay is the plain JSON. */
  headers[2] = "Accept-Encoding: gzip;q=0";
  http (f, "POST", "/api/v1/push", headers, g_bytes_get_data (gz, NULL), g_bytes_get_size (gz), FALSE, &plain);
  encoding_plain = header_value (&plain, "Content-Encoding");
  g_assert_null (encoding_plain);
  g_assert_cmpmem (plain.body->data, plain.body->len, g_bytes_get_data (inflated, NULL), g_bytes_get_size (inflated));
}

typedef enum {
  BAD_OVERSIZE,
  BAD_OVERSIZE_CHUNKED,
  BAD_BOMB,
  BAD_GZIP,
  BAD_NO_ENCODING,
  BAD_DEFLATE,
  BAD_JSON_LINE,
  BAD_MISSING_FIELD,
  BAD_NO_TOKEN,
  BAD_WRONG_TOKEN,
  BAD_NOT_BEARER,
  BAD_NO_KEY,
  BAD_EMPTY,
} BadKind;

static void
test_bad_input (Fixture       *f,
                gconstpointer  data)
{
  g_auto(Device) d = { 0 };
  const struct {
    BadKind     kind;
    long        status;
    const char *code;
    const char *prefix;
  } cases[] = {
    { BAD_OVERSIZE, 413, "too_large", "request body of 70000 bytes exceeds the limit of 65536 bytes" },
    { BAD_OVERSIZE_CHUNKED, 413, "too_large", "request body of " },
    { BAD_BOMB, 413, "too_large", "decompressed body exceeds the limit of 1048576 bytes" },
    { BAD_GZIP, 400, "malformed_gzip", "malformed gzip: the body does not start with the gzip magic bytes" },
    { BAD_NO_ENCODING, 415, "unsupported_encoding", "Content-Encoding: expected gzip, got none" },
    { BAD_DEFLATE, 415, "unsupported_encoding", "Content-Encoding: expected gzip, got deflate" },
    { BAD_JSON_LINE, 400, "malformed_json", "line 2: malformed JSON: " },
    { BAD_MISSING_FIELD, 400, "invalid_envelope", "line 1: rev: missing" },
    { BAD_NO_TOKEN, 401, "unauthorized", "Authorization: missing" },
    { BAD_WRONG_TOKEN, 401, "unauthorized", "Authorization: the bearer token is not valid" },
    { BAD_NOT_BEARER, 401, "unauthorized", "Authorization: expected \"Bearer <token>\"" },
    { BAD_NO_KEY, 400, "bad_request", "Idempotency-Key: missing" },
    { BAD_EMPTY, 400, "bad_request", "the batch holds no record" },
  };
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *good = household (id, 1, C1, "Ama");

  use_db (f);
  enrol (f, C1, &d);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(Reply) r = { 0 };
      g_autofree char *key = g_strconcat ("Idempotency-Key: ", id, NULL);
      const char *auth = d.auth;
      const char *encoding = "Content-Encoding: gzip";
      g_autoptr(GBytes) payload = NULL;
      gboolean chunked = FALSE;

      switch (cases[i].kind)
        {
        case BAD_OVERSIZE:
        case BAD_OVERSIZE_CHUNKED:
          {
            guint8 *junk = g_malloc (70000);

            for (guint j = 0; j < 70000; j++)
              junk[j] = (guint8) g_test_rand_int ();
            payload = g_bytes_new_take (junk, 70000);
            chunked = cases[i].kind == BAD_OVERSIZE_CHUNKED;
          }
          break;
        case BAD_BOMB:
          {
            gsize n = 8 * 1024 * 1024;
            g_autofree char *spaces = g_malloc (n);

            memset (spaces, ' ', n);
            payload = clmrs_gzip_compress (spaces, n, NULL);
            g_assert_cmpuint (g_bytes_get_size (payload), <, 65536);
          }
          break;
        case BAD_GZIP:
        case BAD_NO_ENCODING:
          payload = g_bytes_new (good, strlen (good));
          if (cases[i].kind == BAD_NO_ENCODING)
            encoding = "X-Nothing: 1";
          break;
        case BAD_DEFLATE:
          payload = clmrs_gzip_compress (good, strlen (good), NULL);
          encoding = "Content-Encoding: deflate";
          break;
        case BAD_JSON_LINE:
          {
            g_autofree char *text = g_strdup_printf ("%s\n{\"v\":1,\n", good);

            payload = clmrs_gzip_compress (text, strlen (text), NULL);
          }
          break;
        case BAD_MISSING_FIELD:
          {
            g_autofree char *text = g_strdup (good);
            char *rev = strstr (text, "\"rev\":1,");

            memmove (rev, rev + 8, strlen (rev + 8) + 1);
            payload = clmrs_gzip_compress (text, strlen (text), NULL);
          }
          break;
        case BAD_NO_TOKEN:
        case BAD_WRONG_TOKEN:
        case BAD_NOT_BEARER:
          payload = clmrs_gzip_compress (good, strlen (good), NULL);
          auth = cases[i].kind == BAD_NO_TOKEN ? "X-Nothing: 1"
                 : cases[i].kind == BAD_WRONG_TOKEN ? "Authorization: Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
                 : "Authorization: Basic dXNlcjpwYXNz";
          break;
        case BAD_NO_KEY:
          payload = clmrs_gzip_compress (good, strlen (good), NULL);
          g_free (key);
          key = g_strdup ("X-Nothing: 1");
          break;
        case BAD_EMPTY:
          payload = clmrs_gzip_compress ("\n\n", 2, NULL);
          break;
        default:
          g_assert_not_reached ();
        }

      {
        const char *headers[] = { auth, encoding, key, NULL };

        g_test_message ("case %u", i);
        http (f, "POST", "/api/v1/push", headers, g_bytes_get_data (payload, NULL), g_bytes_get_size (payload),
              chunked, &r);
        assert_error (&r, cases[i].status, cases[i].code, cases[i].prefix);
      }
      /* Nothing stored, no batch remembered. */
      g_assert_cmpint (stat_of ("records"), ==, 0);
      g_assert_cmpint (stat_of ("batches"), ==, 0);
    }

  /* The server survived all of it and still takes the good batch. */
  {
    g_auto(Reply) r = { 0 };
    g_autofree char *results = NULL;

    push (f, &d, good, NULL, &r);
    results = results_of (&r);
    g_assert_cmpstr (results, ==, "stored");
  }
}

static void
test_revoked (Fixture       *f,
              gconstpointer  data)
{
  g_auto(Device) d = { 0 };
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *good = household (id, 1, C1, "Ama");
  g_auto(Reply) r = { 0 };
  g_auto(Reply) p = { 0 };
  const char *headers[2] = { NULL };

  use_db (f);
  enrol (f, C1, &d);
  g_assert_cmpint (admin (NULL, "revoke-device", "--db", f->db, d.device_id, NULL), ==, 0);
  push (f, &d, good, NULL, &r);
  assert_error (&r, 403, "device_revoked", "this device was revoked");
  headers[0] = d.auth;
  http (f, "GET", "/api/v1/pull", headers, NULL, 0, FALSE, &p);
  assert_error (&p, 403, "device_revoked", "this device was revoked");
  g_assert_cmpint (stat_of ("records"), ==, 0);

  /* An unknown device is a data error (3); a missing argument a usage error (2). */
  g_assert_cmpint (admin (NULL, "revoke-device", "--db", f->db, DEVICE, NULL), ==, 3);
  g_assert_cmpint (admin (NULL, "revoke-device", "--db", f->db, NULL), ==, 2);
}

static void
test_rate_limit (void)
{
  Fixture f = { 0 };
  guint limited = 0, ok = 0;

  fixture_setup_rate (&f, "2/s");
  for (guint i = 0; i < 8; i++)
    {
      g_auto(Reply) r = { 0 };

      http (&f, "GET", "/api/v1/health", NULL, NULL, 0, FALSE, &r);
      if (r.status == 429)
        {
          g_autofree char *retry = header_value (&r, "Retry-After");

          assert_error (&r, 429, "rate_limited", "too many requests");
          g_assert_nonnull (retry);
          g_assert_cmpint (atoi (retry), >=, 1);
          limited++;
        }
      else
        {
          g_assert_cmpint (r.status, ==, 200);
          ok++;
        }
    }
  g_assert_cmpuint (ok, >=, 2);
  g_assert_cmpuint (limited, >=, 1);

  /* After a pause the client is served again. */
  g_usleep (1100 * 1000);
  {
    g_auto(Reply) r = { 0 };

    http (&f, "GET", "/api/v1/health", NULL, NULL, 0, FALSE, &r);
    g_assert_cmpint (r.status, ==, 200);
  }
  fixture_teardown (&f, NULL);
}

static guint
count_lines (const char *text)
{
  guint n = 0;

  for (const char *p = text; *p != '\0'; p++)
    n += *p == '\n';
  return n;
}

static void
test_pull_scoping (Fixture       *f,
                   gconstpointer  data)
{
  g_auto(Device) a = { 0 };
  g_auto(Device) a2 = { 0 };
  g_auto(Device) b = { 0 };
  g_autoptr(GString) batch_a = g_string_new (NULL);
  g_autoptr(GString) batch_b = g_string_new (NULL);
  g_autofree char *page_a = NULL, *page_a2 = NULL, *page_b = NULL;
  g_auto(Reply) ra = { 0 };
  g_auto(Reply) rb = { 0 };

  use_db (f);
  enrol (f, C1, &a);
  enrol (f, C1, &a2);
  enrol (f, C2, &b);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *id = g_uuid_string_random ();
      g_autofree char *h = household (id, 1, C1, "In-C1");

      g_string_append_printf (batch_a, "%s\n", h);
    }
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *id = g_uuid_string_random ();
      g_autofree char *h = household (id, 1, C2, "In-C2");

      g_string_append_printf (batch_b, "%s\n", h);
    }
  push (f, &a, batch_a->str, NULL, &ra);
  g_assert_cmpint (ra.status, ==, 200);
  push (f, &b, batch_b->str, NULL, &rb);
  g_assert_cmpint (rb.status, ==, 200);

  /* a2 shares C1: it gets a's three records and never C2's. */
  page_a2 = pull (f, &a2, "?cursor=0", NULL, NULL);
  g_assert_cmpuint (count_lines (page_a2), ==, 3);
  g_assert_null (strstr (page_a2, "In-C2"));
  g_assert_null (strstr (page_a2, C2));
  /* What a2 got is byte for byte what a pushed. */
  g_assert_cmpstr (page_a2, ==, batch_a->str);

  /* a pushed them itself: it gets nothing back. */
  page_a = pull (f, &a, "", NULL, NULL);
  g_assert_cmpstr (page_a, ==, "");

  /* b sees none of C1. */
  page_b = pull (f, &b, "?cursor=0", NULL, NULL);
  g_assert_cmpstr (page_b, ==, "");
}

static void
test_pull_paging (Fixture       *f,
                  gconstpointer  data)
{
  g_auto(Device) a = { 0 };
  g_auto(Device) b = { 0 };
  g_autoptr(GString) batch = g_string_new (NULL);
  g_autoptr(GString) got = g_string_new (NULL);
  g_autofree char *cursor = g_strdup ("0");
  g_auto(Reply) r = { 0 };
  gboolean has_more = TRUE;
  guint pages = 0;

  use_db (f);
  enrol (f, C1, &a);
  enrol (f, C1, &b);
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *id = g_uuid_string_random ();
      g_autofree char *name = g_strdup_printf ("H%u", i);
      g_autofree char *h = household (id, 1, C1, name);

      g_string_append_printf (batch, "%s\n", h);
    }
  push (f, &a, batch->str, NULL, &r);
  g_assert_cmpint (r.status, ==, 200);

  while (has_more)
    {
      g_autofree char *query = g_strdup_printf ("?cursor=%s&limit=2", cursor);
      g_autofree char *next = NULL;
      g_autofree char *page = pull (f, &b, query, &next, &has_more);

      pages++;
      g_assert_cmpuint (count_lines (page), ==, pages < 3 ? 2 : 1);
      g_assert_cmpstr (next, !=, cursor);
      g_string_append (got, page);
      g_free (cursor);
      cursor = g_steal_pointer (&next);
    }
  g_assert_cmpuint (pages, ==, 3);
  g_assert_cmpstr (got->str, ==, batch->str);

  /* At the end: an empty page, the cursor stays. */
  {
    g_autofree char *query = g_strdup_printf ("?cursor=%s", cursor);
    g_autofree char *next = NULL;
    g_autofree char *page = pull (f, &b, query, &next, &has_more);

    g_assert_cmpstr (page, ==, "");
    g_assert_cmpstr (next, ==, cursor);
    g_assert_false (has_more);
  }

  /* Bad cursors and limits. */
  {
    const char *bad[] = { "?cursor=abc", "?cursor=-1", "?limit=0", "?limit=x" };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autofree char *path = g_strconcat ("/api/v1/pull", bad[i], NULL);
        const char *headers[] = { b.auth, NULL };
        g_auto(Reply) e = { 0 };

        http (f, "GET", path, headers, NULL, 0, FALSE, &e);
        assert_error (&e, 400, "bad_request", i < 2 ? "cursor: " : "limit: ");
      }
  }

  /* A cursor this server never gave (it was restored from a backup). */
  {
    g_autofree char *path = g_strdup_printf ("/api/v1/pull?cursor=%" G_GINT64_FORMAT,
                                             g_ascii_strtoll (cursor, NULL, 10) + 1000);
    const char *headers[] = { b.auth, NULL };
    g_auto(Reply) e = { 0 };

    http (f, "GET", path, headers, NULL, 0, FALSE, &e);
    assert_error (&e, 409, "cursor_ahead", "cursor: ");
  }
}

/* Pages are also cut by size: about PAGE_BYTES of lines, at least one. */
static void
test_pull_paging_bytes (Fixture       *f,
                        gconstpointer  data)
{
  g_auto(Device) a = { 0 };
  g_auto(Device) b = { 0 };
  g_autoptr(GString) batch = g_string_new (NULL);
  g_autoptr(GString) got = g_string_new (NULL);
  g_autofree char *cursor = g_strdup ("0");
  g_auto(Reply) r = { 0 };
  gboolean has_more = TRUE;
  guint pages = 0;

  use_db (f);
  enrol (f, C1, &a);
  enrol (f, C1, &b);
  /* Ten lines of about 1.5 KB, and one of 6 KB, longer than a page. */
  for (guint i = 0; i < 11; i++)
    {
      g_autofree char *id = g_uuid_string_random ();
      g_autofree char *name = g_strnfill (i == 5 ? 6000 : 1200, 'a' + (char) i);
      g_autofree char *h = household (id, 1, C1, name);

      g_string_append_printf (batch, "%s\n", h);
    }
  push (f, &a, batch->str, NULL, &r);
  g_assert_cmpint (r.status, ==, 200);

  while (has_more)
    {
      g_autofree char *query = g_strdup_printf ("?cursor=%s", cursor);
      g_autofree char *next = NULL;
      g_autofree char *page = pull (f, &b, query, &next, &has_more);

      pages++;
      g_assert_cmpuint (count_lines (page), >=, 1);
      if (count_lines (page) > 1)
        g_assert_cmpuint (strlen (page), <=, 4096);
      g_string_append (got, page);
      g_free (cursor);
      cursor = g_steal_pointer (&next);
    }
  g_assert_cmpuint (pages, >=, 5);
  g_assert_cmpstr (got->str, ==, batch->str);
}

static void
test_publish (Fixture       *f,
              gconstpointer  data)
{
  g_auto(Device) d = { 0 };
  g_autofree char *form = g_build_filename (f->dir, "visit.xml", NULL);
  g_autofree char *rules = g_build_filename (f->dir, "gh.json", NULL);
  g_autofree char *broken = g_build_filename (f->dir, "broken.xml", NULL);
  g_autofree char *out = NULL;
  g_autofree char *page = NULL;
  g_autofree char *cursor = NULL;
  const char *xform =
    "<?xml version=\"1.0\"?>\n"
    "<h:html xmlns=\"http://www.w3.org/2002/xforms\" xmlns:h=\"http://www.w3.org/1999/xhtml\">\n"
    "<h:head><h:title>Visit</h:title><model><instance>\n"
    "<data id=\"household_visit\" version=\"2026.1\"><name/></data>\n"
    "</instance></model></h:head><h:body/></h:html>\n";

  use_db (f);
  enrol (f, C1, &d);
  g_assert_true (g_file_set_contents (form, xform, -1, NULL));
  {
    /* a rule set the core loads: the shipped one at another version */
    g_autofree char *shipped_path = g_build_filename (g_getenv ("CLMRS_SOURCE_DIR"), "assets", "rules", "gh.json", NULL);
    g_autofree char *shipped = NULL;
    g_auto(GStrv) parts = NULL;
    g_autofree char *content = NULL;

    g_assert_true (g_file_get_contents (shipped_path, &shipped, NULL, NULL));
    parts = g_strsplit (shipped, "\"version\": \"2026.2\"", 2);
    g_assert_cmpuint (g_strv_length (parts), ==, 2);
    content = g_strjoinv ("\"version\": \"2024.1\"", parts);
    g_assert_true (g_file_set_contents (rules, content, -1, NULL));
  }
  g_assert_true (g_file_set_contents (broken, "<h:html", -1, NULL));

  g_assert_cmpint (admin (&out, "publish", "--db", f->db, form, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "published form household_visit@2026.1"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (admin (&out, "publish", "--db", f->db, form, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "already published"));
  g_assert_cmpint (admin (NULL, "publish", "--db", f->db, rules, NULL), ==, 0);
  g_assert_cmpint (admin (NULL, "publish", "--db", f->db, broken, NULL), ==, 3);

  /* the rule set is larger than a test page: two pages */
  page = pull (f, &d, "?cursor=0", &cursor, NULL);
  {
    g_autofree char *query = g_strdup_printf ("?cursor=%s", cursor);
    g_autofree char *second = pull (f, &d, query, NULL, NULL);
    char *both = g_strconcat (page, second, NULL);

    g_free (page);
    page = both;
  }
  g_assert_cmpuint (count_lines (page), ==, 2);
  g_assert_nonnull (strstr (page, "\"type\":\"form\""));
  g_assert_nonnull (strstr (page, "\"id\":\"household_visit\""));
  g_assert_nonnull (strstr (page, "\"type\":\"rule_set\""));
  g_assert_nonnull (strstr (page, "\"version\":\"2024.1\""));
  g_assert_cmpint (stat_of ("publications"), ==, 2);
}

static void
test_export_and_restart (Fixture       *f,
                         gconstpointer  data)
{
  g_auto(Device) a = { 0 };
  g_auto(Device) b = { 0 };
  g_autofree char *id1 = g_uuid_string_random ();
  g_autofree char *id2 = g_uuid_string_random ();
  g_autofree char *h = household (id1, 1, C1, "Ama");
  g_autofree char *visit = NULL;
  g_autofree char *batch = NULL;
  g_autofree char *exported = NULL;
  g_autofree char *again = NULL;
  g_autofree char *page = NULL;
  g_autofree char *csv_dir = g_build_filename (f->dir, "csv", NULL);
  g_autofree char *csv_file = g_build_filename (csv_dir, "household.csv", NULL);
  g_autofree char *csv = NULL;
  g_auto(Reply) r = { 0 };

  use_db (f);
  enrol (f, C1, &a);
  enrol (f, C1, &b);
  {
    g_autofree char *body = g_strdup_printf ("{ \"kind\": \"household\", \"household_id\": \"%s\", "
                                             "\"child_id\": null, \"date\": \"2026-11-20\", \"answers\": "
                                             "{ \"n\": 1.50, \"s\": \"\\u00e9\\n\" }, \"assessments\": [] }", id1);

    visit = envelope ("visit", id2, 1, C1, body);
  }
  /* Odd spacing, escapes and number forms are kept as sent. */
  batch = g_strdup_printf ("%s\n  %s  \n", h, visit);
  push (f, &a, batch, NULL, &r);
  g_assert_cmpint (r.status, ==, 200);

  g_assert_cmpint (admin (&exported, "export", "--db", f->db, "--ndjson", NULL), ==, 0);
  {
    g_autofree char *expected = g_strdup_printf ("%s\n  %s  \n", h, visit);

    g_assert_cmpstr (exported, ==, expected);
  }
  g_assert_cmpint (admin (NULL, "export", "--db", f->db, "--csv", csv_dir, NULL), ==, 0);
  g_assert_true (g_file_get_contents (csv_file, &csv, NULL, NULL));
  g_test_message ("csv: %s", csv);
  g_assert_true (g_str_has_prefix (csv, "id,rev,type,device_id,author,community_id,created,modified,schema,rules,"
                                        "body.head_name,body.head_sex\n"));
  g_assert_nonnull (strstr (csv, id1));

  /* Killed without warning, then restarted on the same database. */
  server_stop (f, TRUE);
  server_start (f, "0");
  g_assert_cmpint (admin (&again, "export", "--db", f->db, "--ndjson", NULL), ==, 0);
  g_assert_cmpstr (again, ==, exported);
  page = pull (f, &b, "?cursor=0", NULL, NULL);
  g_assert_cmpuint (count_lines (page), ==, 2);
  {
    g_auto(Reply) replay = { 0 };
    g_autofree char *results = NULL;

    push (f, &a, batch, NULL, &replay);
    results = results_of (&replay);
    g_assert_cmpstr (results, ==, "duplicate,duplicate");
  }
}

static void
test_tls (void)
{
  Fixture f = { .tls = TRUE };
  g_auto(Reply) trusted = { 0 };
  g_auto(Reply) untrusted = { 0 };
  CURLcode rc;

  fixture_setup_rate (&f, "0");
  g_assert_true (g_str_has_prefix (f.base, "https://127.0.0.1:"));

  /* Not trusting the server's certificate: refused by the client. */
  rc = http_try (&f, "GET", "/api/v1/health", NULL, NULL, 0, FALSE, &untrusted);
  g_assert_cmpint (rc, !=, CURLE_OK);

  f.cainfo = g_build_filename (g_getenv ("CLMRS_SOURCE_DIR"), "tests", "data", "tls-cert.pem", NULL);
  http (&f, "GET", "/api/v1/health", NULL, NULL, 0, FALSE, &trusted);
  g_assert_cmpint (trusted.status, ==, 200);
  fixture_teardown (&f, NULL);
}

typedef struct {
  Fixture *f;
  Device  *d;
  guint    stored;
} Pusher;

static gpointer
pusher_thread (gpointer data)
{
  Pusher *p = data;

  for (guint b = 0; b < 5; b++)
    {
      g_autoptr(GString) batch = g_string_new (NULL);
      g_auto(Reply) r = { 0 };
      g_autofree char *results = NULL;

      for (guint i = 0; i < 4; i++)
        {
          g_autofree char *id = g_uuid_string_random ();
          g_autofree char *h = household (id, 1, C1, "Busy");

          g_string_append_printf (batch, "%s\n", h);
        }
      push (p->f, p->d, batch->str, NULL, &r);
      results = results_of (&r);
      g_assert_cmpstr (results, ==, "stored,stored,stored,stored");
      p->stored += 4;
    }
  return NULL;
}

/* Devices pushing at the same time: every batch is stored, none is lost. */
static void
test_concurrent_pushes (Fixture       *f,
                        gconstpointer  data)
{
  Device devices[4] = { 0 };
  Pusher pushers[4];
  GThread *threads[4];
  guint total = 0;

  use_db (f);
  for (guint i = 0; i < 4; i++)
    {
      enrol (f, C1, &devices[i]);
      pushers[i] = (Pusher) { f, &devices[i], 0 };
      threads[i] = g_thread_new ("pusher", pusher_thread, &pushers[i]);
    }
  for (guint i = 0; i < 4; i++)
    {
      g_thread_join (threads[i]);
      total += pushers[i].stored;
      device_clear (&devices[i]);
    }
  g_assert_cmpuint (total, ==, 80);
  g_assert_cmpint (stat_of ("records"), ==, 80);
  g_assert_cmpint (stat_of ("batches"), ==, 20);
}

/* ---- Several server processes on one PostgreSQL database ------------------------- */

#define MULTI_DEVICES 6
#define MULTI_BATCHES 8
#define MULTI_RECORDS 15

typedef struct {
  Fixture       *servers[2];
  Device        *d;
  guint          index;
  GHashTable    *seen;      /* id -> times pulled */
  volatile gint *pushers_left;
} Multi;

/* Pushes each batch to one process, its retry (same key) to the other,
 * and the same records under a new key to the other again. */
static gpointer
multi_pusher (gpointer data)
{
  Multi *m = data;

  for (guint b = 0; b < MULTI_BATCHES; b++)
    {
      Fixture *first = m->servers[(b + m->index) % 2], *other = m->servers[(b + m->index + 1) % 2];
      g_autoptr(GString) batch = g_string_new (NULL);
      g_autofree char *key = g_uuid_string_random ();
      g_auto(Reply) r = { 0 };
      g_auto(Reply) retry = { 0 };
      g_auto(Reply) again = { 0 };
      g_autofree char *results = NULL;
      g_autofree char *again_results = NULL;
      g_autofree char *first_body = NULL;
      g_autofree char *retry_body = NULL;

      for (guint i = 0; i < MULTI_RECORDS; i++)
        {
          g_autofree char *id = g_uuid_string_random ();
          g_autofree char *h = household (id, 1, C1, "Busy");

          g_string_append_printf (batch, "%s\n", h);
        }
      push (first, m->d, batch->str, key, &r);
      results = results_of (&r);
      g_test_message ("batch %u of device %u: %s", b, m->index, results);
      g_assert_nonnull (strstr (results, "stored"));
      g_assert_null (strstr (results, "rejected"));
      g_assert_null (strstr (results, "duplicate"));
      /* the answer was lost: the retry reaches the other process */
      push (other, m->d, batch->str, key, &retry);
      g_assert_cmpint (retry.status, ==, 200);
      first_body = body_text (&r);
      retry_body = body_text (&retry);
      g_assert_cmpstr (retry_body, ==, first_body);
      /* the same records in a new batch: stored once, whatever the process */
      push (other, m->d, batch->str, NULL, &again);
      again_results = results_of (&again);
      g_assert_null (strstr (again_results, "stored"));
      g_assert_null (strstr (again_results, "rejected"));
    }
  g_atomic_int_dec_and_test (m->pushers_left);
  return NULL;
}

/* Pulls from both processes in turn while the pushes go on, then to the end. */
static gpointer
multi_puller (gpointer data)
{
  Multi *m = data;
  g_autofree char *cursor = g_strdup ("0");
  gboolean finishing = FALSE;
  guint turn = m->index;

  for (;;)
    {
      gboolean pushing = g_atomic_int_get (m->pushers_left) > 0;
      g_autofree char *query = g_strdup_printf ("?cursor=%s&limit=7", cursor);
      g_autofree char *next = NULL;
      g_autofree char *page = NULL;
      g_auto(GStrv) lines = NULL;
      gboolean has_more = FALSE;

      page = pull (m->servers[turn++ % 2], m->d, query, &next, &has_more);
      lines = g_strsplit (page, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          g_autoptr(JsonNode) node = NULL;
          const char *id;

          if (*lines[i] == '\0')
            continue;
          node = json_from_string (lines[i], NULL);
          g_assert_nonnull (node);
          id = json_object_get_string_member (json_node_get_object (node), "id");
          g_hash_table_insert (m->seen, g_strdup (id),
                               GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (m->seen, id)) + 1));
        }
      g_free (cursor);
      cursor = g_steal_pointer (&next);
      if (!has_more && finishing)
        break;
      /* once every push is answered, one more pass to the end */
      if (!has_more && !pushing)
        finishing = TRUE;
    }
  return NULL;
}

/* A new database on the test cluster: its URI. */
static char *
make_pg_database (void)
{
  const char *base = g_getenv ("CLMRS_SERVER_TEST_PG_URI");
  g_autofree char *name = NULL;
  g_autofree char *create = NULL;
  g_autoptr(GError) error = NULL;
  const char *authority = strstr (base, "://");
  const char *path, *query;

  g_assert_nonnull (authority);
  path = strchr (authority + 3, '/');
  g_assert_nonnull (path);
  query = strchr (path, '?');
  name = g_strdup_printf ("clmrs_multi_%08x", g_random_int ());
  create = g_strdup_printf ("CREATE DATABASE %s", name);
  {
    g_autoptr(ServerDb) admin_db = server_store_open (base, &error);

    g_assert_no_error (error);
    db_exec (admin_db, create, &error);
    g_assert_no_error (error);
  }
  return g_strdup_printf ("%.*s/%s%s", (int) (path - base), base, name, query != NULL ? query : "");
}

/* Two `serve` processes on one PostgreSQL database, devices pushing to
 * both at once (retries and repeats landing on the other process) and
 * pulling from both in turn: every record is stored once, and every
 * device receives every other device's records exactly once: no pull
 * cursor passes a record another process commits late. */
static void
test_two_processes (void)
{
  Fixture servers[2] = { 0 };
  Device devices[MULTI_DEVICES] = { 0 };
  Multi multi[MULTI_DEVICES];
  GThread *pushers[MULTI_DEVICES], *pullers[MULTI_DEVICES];
  volatile gint pushers_left = MULTI_DEVICES;
  g_autofree char *uri = NULL;
  g_autofree char *derived = NULL;
  g_autoptr(GError) error = NULL;
  const guint total = MULTI_DEVICES * MULTI_BATCHES * MULTI_RECORDS;

  if (!sync_test_server_on_postgres ())
    {
      g_test_skip ("needs PostgreSQL: set CLMRS_SERVER_TEST_PG_URI (./test.sh starts a cluster)");
      return;
    }
  uri = make_pg_database ();
  for (guint s = 0; s < 2; s++)
    {
      servers[s].dir = g_dir_make_tmp ("clmrs-server-XXXXXX", &error);
      g_assert_no_error (error);
      servers[s].db = g_strdup (uri);
      servers[s].log = g_build_filename (servers[s].dir, "server.log", NULL);
    }
  /* the derived store (indicators) is a cache of this host */
  derived = g_build_filename (servers[0].dir, "derived", NULL);
  g_setenv ("CLMRS_SERVER_DERIVED_DIR", derived, TRUE);
  g_free (sync_test_add_person (uri, AUTHOR, "facilitator", "all"));
  server_start (&servers[0], "0");
  server_start (&servers[1], "0");
  use_db (&servers[0]);
  servers[1].n_devices = 1;   /* one device only stamps its envelopes with DEVICE */

  for (guint i = 0; i < MULTI_DEVICES; i++)
    {
      enrol (&servers[i % 2], C1, &devices[i]);
      multi[i] = (Multi) { { &servers[0], &servers[1] }, &devices[i], i,
                           g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL), &pushers_left };
    }
  for (guint i = 0; i < MULTI_DEVICES; i++)
    {
      pushers[i] = g_thread_new ("pusher", multi_pusher, &multi[i]);
      pullers[i] = g_thread_new ("puller", multi_puller, &multi[i]);
    }
  for (guint i = 0; i < MULTI_DEVICES; i++)
    g_thread_join (pushers[i]);
  for (guint i = 0; i < MULTI_DEVICES; i++)
    g_thread_join (pullers[i]);

  g_assert_cmpint (stat_of ("records"), ==, total);
  g_assert_cmpint (stat_of ("batches"), ==, 2 * MULTI_DEVICES * MULTI_BATCHES);
  for (guint i = 0; i < MULTI_DEVICES; i++)
    {
      GHashTableIter iter;
      gpointer times;

      /* every record of the five others, none of its own, each once */
      g_assert_cmpuint (g_hash_table_size (multi[i].seen), ==, total - MULTI_BATCHES * MULTI_RECORDS);
      g_hash_table_iter_init (&iter, multi[i].seen);
      while (g_hash_table_iter_next (&iter, NULL, &times))
        g_assert_cmpuint (GPOINTER_TO_UINT (times), ==, 1);
      g_hash_table_unref (multi[i].seen);
      device_clear (&devices[i]);
    }
  /* the second first: the derived store is in the first one's folder */
  fixture_teardown (&servers[1], NULL);
  fixture_teardown (&servers[0], NULL);
  g_unsetenv ("CLMRS_SERVER_DERIVED_DIR");
}

/* A PostgreSQL program (pg_dump, pg_restore) of the newest installed version. */
static char *
pg_program (const char *name)
{
  g_autoptr(GDir) dir = g_dir_open ("/usr/lib/postgresql", 0, NULL);
  g_autofree char *best = NULL;
  const char *version;

  while (dir != NULL && (version = g_dir_read_name (dir)) != NULL)
    if (best == NULL || strtol (version, NULL, 10) > strtol (best, NULL, 10))
      {
        g_free (best);
        best = g_strdup (version);
      }
  if (best == NULL)
    return g_strdup (name);   /* on the PATH */
  return g_build_filename ("/usr/lib/postgresql", best, "bin", name, NULL);
}

static void
run_pg_program (const char *const *argv)
{
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s: %s", argv[0], err);
}

/* The database name in a URI made by make_pg_database(). */
static char *
pg_database_name (const char *uri)
{
  const char *start = strchr (strstr (uri, "://") + 3, '/') + 1;
  const char *end = strchr (start, '?');

  return end != NULL ? g_strndup (start, (gsize) (end - start)) : g_strdup (start);
}

/* A PostgreSQL server backed up with pg_dump while it runs, restored with
 * pg_restore after more pushes (docs/operations.md): a device that pulled
 * past the backup is answered cursor_ahead, and from 0 it receives
 * exactly what the backup held. */
static void
test_pg_dump_restore (void)
{
  Fixture f = { 0 };
  g_auto(Device) a = { 0 };
  g_auto(Device) b = { 0 };
  g_autofree char *uri = NULL;
  g_autofree char *name = NULL;
  g_autofree char *dump = NULL;
  g_autofree char *pg_dump = pg_program ("pg_dump");
  g_autofree char *pg_restore = pg_program ("pg_restore");
  g_autofree char *cursor = NULL;
  g_autofree char *derived = NULL;
  g_autoptr(GString) before = g_string_new (NULL);
  g_autoptr(GString) after = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  gboolean has_more = TRUE;

  if (!sync_test_server_on_postgres ())
    {
      g_test_skip ("needs PostgreSQL: set CLMRS_SERVER_TEST_PG_URI (./test.sh starts a cluster)");
      return;
    }
  uri = make_pg_database ();
  name = pg_database_name (uri);
  f.dir = g_dir_make_tmp ("clmrs-server-XXXXXX", &error);
  g_assert_no_error (error);
  f.db = g_strdup (uri);
  f.log = g_build_filename (f.dir, "server.log", NULL);
  dump = g_build_filename (f.dir, "server.dump", NULL);
  derived = g_build_filename (f.dir, "derived", NULL);
  g_setenv ("CLMRS_SERVER_DERIVED_DIR", derived, TRUE);
  g_free (sync_test_add_person (uri, AUTHOR, "facilitator", "all"));
  server_start (&f, "0");
  use_db (&f);
  enrol (&f, C1, &a);
  enrol (&f, C1, &b);
  for (guint i = 0; i < 2; i++)
    {
      GString *batch = i == 0 ? before : after;
      g_auto(Reply) r = { 0 };
      g_autofree char *results = NULL;

      for (guint k = 0; k < 3; k++)
        {
          g_autofree char *id = g_uuid_string_random ();
          g_autofree char *h = household (id, 1, C1, i == 0 ? "Before" : "After");

          g_string_append_printf (batch, "%s\n", h);
        }
      push (&f, &a, batch->str, NULL, &r);
      results = results_of (&r);
      g_assert_cmpstr (results, ==, "stored,stored,stored");
      /* the backup, taken while the server runs, between the two pushes */
      if (i == 0)
        run_pg_program ((const char *[]) { pg_dump, "-Fc", "-f", dump, "-d", uri, NULL });
    }
  /* b pulls everything: its cursor is past what the backup holds */
  cursor = g_strdup ("0");
  while (has_more)
    {
      g_autofree char *query = g_strdup_printf ("?cursor=%s", cursor);
      g_autofree char *next = NULL;
      g_autofree char *page = pull (&f, &b, query, &next, &has_more);

      g_free (cursor);
      cursor = g_steal_pointer (&next);
    }
  server_stop (&f, FALSE);

  /* restore: a new database from the dump, under the same name */
  {
    g_autoptr(ServerDb) admin_db = server_store_open (g_getenv ("CLMRS_SERVER_TEST_PG_URI"), &error);
    g_autofree char *drop = g_strdup_printf ("DROP DATABASE %s WITH (FORCE)", name);
    g_autofree char *create = g_strdup_printf ("CREATE DATABASE %s", name);

    g_assert_no_error (error);
    db_exec (admin_db, drop, &error);
    g_assert_no_error (error);
    db_exec (admin_db, create, &error);
    g_assert_no_error (error);
  }
  run_pg_program ((const char *[]) { pg_restore, "-d", uri, dump, NULL });
  server_start (&f, "0");
  {
    g_autofree char *path = g_strdup_printf ("/api/v1/pull?cursor=%s", cursor);
    const char *headers[] = { b.auth, NULL };
    g_auto(Reply) e = { 0 };

    http (&f, "GET", path, headers, NULL, 0, FALSE, &e);
    assert_error (&e, 409, "cursor_ahead", "cursor: ");
  }
  /* from 0: what the backup held, and not the later push */
  {
    g_autofree char *page = pull (&f, &b, "?cursor=0", NULL, &has_more);
    g_autofree char *expected = as_device (&a, before->str);

    g_assert_false (has_more);
    g_assert_cmpstr (page, ==, expected);
  }
  g_assert_cmpint (stat_of ("records"), ==, 3);
  fixture_teardown (&f, NULL);
  g_unsetenv ("CLMRS_SERVER_DERIVED_DIR");
}

static void
test_cli (void)
{
  g_autofree char *out = NULL;

  g_assert_cmpint (admin (&out, "--help", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Exit status:"));
  g_clear_pointer (&out, g_free);
  for (guint i = 0; i < 6; i++)
    {
      const char *commands[] = { "serve", "enroll-code", "revoke-device", "publish", "export", "stats" };

      g_assert_cmpint (admin (&out, commands[i], "--help", NULL), ==, 0);
      g_assert_nonnull (strstr (out, "--db"));
      g_clear_pointer (&out, g_free);
    }
  g_assert_cmpint (admin (NULL, "frobnicate", NULL), ==, 2);
  g_assert_cmpint (admin (NULL, NULL), ==, 2);
  g_assert_cmpint (admin (NULL, "serve", "--db", "/nonexistent/x.db", NULL), ==, 2);
  g_assert_cmpint (admin (NULL, "serve", "--db", "/nonexistent/x.db", "--listen", "127.0.0.1:0",
                          "--max-body", "lots", NULL), ==, 2);
  g_assert_cmpint (admin (NULL, "serve", "--db", "/nonexistent/dir/x.db", "--listen", "127.0.0.1:0", NULL), ==, 1);
  g_assert_cmpint (admin (NULL, "export", "--db", "/nonexistent/x.db", "--ndjson", NULL), ==, 1);
  g_assert_cmpint (admin (NULL, "serve", "--db", "/tmp/x.db", "--listen", "127.0.0.1:99999", NULL), ==, 2);
  g_assert_cmpint (admin (NULL, "serve", "--db", "/tmp/x.db", "--listen", "127.0.0.1:http", NULL), ==, 2);
  /* reading commands never make an empty server at a mistyped path */
  {
    g_autofree char *dir = g_dir_make_tmp ("clmrs-server-cli-XXXXXX", NULL);
    g_autofree char *missing = g_build_filename (dir, "mistyped.db", NULL);

    g_assert_cmpint (admin (NULL, "stats", "--db", missing, "--json", NULL), ==, 1);
    g_assert_cmpint (admin (NULL, "indicators", "--db", missing, "--json", NULL), ==, 1);
    g_assert_cmpint (admin (NULL, "revoke-device", "--db", missing, "3f0e3c59-7c0e-4a38-9d4b-2f8f1d2f6f11", NULL), ==, 1);
    g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
    g_rmdir (dir);
  }
}


/* ---- People ------------------------------------------------------------------ */

#define DECLARED "d1111111-1111-4111-8111-111111111111"

/* @line with @author in place of AUTHOR. */
static char *
by (const char *author,
    const char *line)
{
  g_auto(GStrv) parts = g_strsplit (line, AUTHOR, -1);

  return g_strjoinv (author, parts);
}

/* Each line's result of a push reply, "stored" or "rejected: REASON", one a line. */
static char *
outcomes_of (Reply *r)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = NULL;
  GString *out = g_string_new (NULL);

  g_assert_cmpint (r->status, ==, 200);
  results = clmrs_push_response_parse ((const char *) r->body->data, r->body->len, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < results->len; i++)
    {
      ClmrsPushResult *result = results->pdata[i];

      g_string_append_printf (out, "%s%s%s\n", clmrs_push_outcome_to_string (result->outcome),
                              result->reason ? ": " : "", result->reason ? result->reason : "");
    }
  return g_string_free (out, FALSE);
}

/* `people add`; returns the id (the last line). */
static char *
add_person (const char *name,
            const char *role,
            const char *communities,
            gboolean    one_time_pin,
            char      **out)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  guint n;

  g_assert_cmpint (admin (&text, "people", "add", "--db", g_getenv ("TEST_DB"), "--name", name, "--sex", "male",
                          "--role", role, "--communities", communities,
                          one_time_pin ? "--one-time-pin" : NULL, NULL), ==, 0);
  lines = g_strsplit (g_strchomp (text), "\n", -1);
  n = g_strv_length (lines);
  g_assert_true (g_uuid_string_is_valid (lines[n - 1]));
  if (out != NULL)
    *out = g_strdup (text);
  return g_strdup (lines[n - 1]);
}

static JsonObject *
person_in (JsonArray  *people,
           const char *id)
{
  for (guint i = 0; i < json_array_get_length (people); i++)
    {
      JsonObject *o = json_array_get_object_element (people, i);

      if (g_strcmp0 (json_object_get_string_member (o, "id"), id) == 0)
        return o;
    }
  return NULL;
}

/* The administrators' commands: clear errors, exit codes, the list. */
static void
test_people_commands (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *id = NULL;
  g_autoptr(JsonNode) list = NULL;
  JsonObject *o;
  g_auto(GStrv) lines = NULL;

  use_db (f);
  id = add_person ("Kouassi Yao", "facilitator", C1 "," C2, TRUE, &out);
  lines = g_strsplit (g_strchomp (out), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  g_assert_true (g_regex_match_simple ("^One-time PIN .*: \\d{6}$", lines[0], 0, 0));
  g_clear_pointer (&out, g_free);

  /* what was wrong, named; usage is 2, an unknown person 3 */
  g_assert_cmpint (admin (NULL, "people", "add", "--db", f->db, "--name", "X", "--sex", "m", "--role", "facilitator",
                          "--communities", "all", NULL), ==, 2);
  g_assert_cmpint (admin (NULL, "people", "add", "--db", f->db, "--name", "X", "--sex", "male", "--role", "boss",
                          "--communities", "all", NULL), ==, 2);
  g_assert_cmpint (admin (NULL, "people", "add", "--db", f->db, "--name", "X", "--sex", "male",
                          "--role", "facilitator", "--communities", "Kragui", NULL), ==, 2);
  g_assert_cmpint (admin (NULL, "people", "add", "--db", f->db, "--name", "", "--sex", "male",
                          "--role", "facilitator", "--communities", "all", NULL), ==, 2);
  g_assert_cmpint (admin (NULL, "people", "add", "--db", f->db, "--name", "X", NULL), ==, 2);
  g_assert_cmpint (admin (NULL, "people", "add", "--db", f->db, "--id", AUTHOR, "--name", "X", "--sex", "male",
                          "--role", "facilitator", "--communities", "all", NULL), ==, 2);
  g_assert_cmpint (admin (NULL, "people", "disable", "--db", f->db, id, NULL), ==, 2);
  g_assert_cmpint (admin (NULL, "people", "disable", "--db", f->db, "--reason", "  ", id, NULL), ==, 2);
  g_assert_cmpint (admin (NULL, "people", "disable", "--db", f->db, "--reason", "left", DEVICE, NULL), ==, 3);
  g_assert_cmpint (admin (NULL, "people", "set-role", "--db", f->db, "--role", "boss", "--reason", "x", id, NULL),
                   ==, 2);
  g_assert_cmpint (admin (NULL, "people", "set-role", "--db", f->db, "--role", "supervisor", "--reason", "x",
                          DEVICE, NULL), ==, 3);
  g_assert_cmpint (admin (NULL, "people", "fire", "--db", f->db, NULL), ==, 2);
  g_assert_cmpint (admin (NULL, "people", NULL), ==, 2);

  g_assert_cmpint (admin (&out, "people", "set-role", "--db", f->db, "--role", "supervisor",
                          "--reason", "leads the Kragui team", id, NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (admin (&out, "people", "disable", "--db", f->db, "--reason", "left the programme", id, NULL), ==, 0);
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (admin (&out, "people", "list", "--db", f->db, "--json", NULL), ==, 0);
  list = json_from_string (out, NULL);
  g_assert_nonnull (list);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (list)), ==, 2);   /* AUTHOR and Yao */
  o = person_in (json_node_get_array (list), id);
  g_assert_cmpstr (json_object_get_string_member (o, "name"), ==, "Kouassi Yao");
  g_assert_cmpstr (json_object_get_string_member (o, "role"), ==, "supervisor");
  g_assert_nonnull (json_object_get_string_member (o, "disabled"));
  g_assert_true (json_object_get_boolean_member (o, "one_time_pin"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "communities")), ==, 2);
  o = person_in (json_node_get_array (list), AUTHOR);
  g_assert_true (json_object_get_boolean_member (o, "all_communities"));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (admin (&out, "people", "list", "--db", f->db, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Kouassi Yao"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (admin (&out, "admin-log", "--db", f->db, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "\tset-role\t"));
  g_assert_nonnull (strstr (out, "leads the Kragui team"));
  g_assert_nonnull (strstr (out, "\tdisable-person\t"));
  g_assert_nonnull (strstr (out, "left the programme"));
}

/* The enrolment answer and GET /api/v1/people: the people of the
 * device's communities; the people a device declares, as facilitators. */
static void
test_people_enrolment (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *in_c1 = NULL, *in_c2 = NULL, *with_pin = NULL, *code = NULL, *body = NULL, *text = NULL;
  g_autofree char *out = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(JsonNode) listed = NULL;
  g_autofree char *auth = NULL;
  JsonArray *people;
  JsonObject *o;
  g_auto(Reply) r = { 0 };

  use_db (f);
  in_c1 = add_person ("Awa Koné", "facilitator", C1, FALSE, NULL);
  in_c2 = add_person ("Kofi Mensah", "supervisor", C2, FALSE, NULL);
  with_pin = add_person ("Esi Boateng", "facilitator", C1, TRUE, NULL);

  /* malformed people: 400, and the code is not used up */
  code = make_code (C1, "1h");
  {
    const char *bad[] = { "{}", "[{\"id\":\"x\",\"name\":\"A\",\"sex\":\"male\"}]",
                          "[{\"id\":\"" DECLARED "\",\"name\":\"\",\"sex\":\"male\"}]",
                          "[{\"id\":\"" DECLARED "\",\"name\":\"A\",\"sex\":\"m\"}]", "[1]" };
    const char *messages[] = { "people: expected an array", "people[0].id: expected a UUID",
                               "people[0].name: expected 1 to 200 characters", "people[0].sex: expected male or female",
                               "people[0]: expected an object" };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_auto(Reply) refused = { 0 };

        g_free (body);
        body = g_strdup_printf ("{\"code\":\"%s\",\"device_name\":\"t\",\"people\":%s}", code, bad[i]);
        http (f, "POST", "/api/v1/enroll", NULL, body, strlen (body), FALSE, &refused);
        assert_error (&refused, 400, "bad_request", messages[i]);
      }
  }
  /* a device set up offline declares its people: a new one (said to be a
   * supervisor) and one the server knows (under another name) */
  g_free (body);
  body = g_strdup_printf ("{\"code\":\"%s\",\"device_name\":\"t\",\"people\":["
                          "{\"id\":\"" DECLARED "\",\"name\":\"Adjoua Kouamé\",\"sex\":\"female\",\"role\":\"supervisor\"},"
                          "{\"id\":\"%s\",\"name\":\"Someone Else\",\"sex\":\"male\",\"role\":\"supervisor\"}]}",
                          code, in_c1);
  http (f, "POST", "/api/v1/enroll", NULL, body, strlen (body), FALSE, &r);
  text = body_text (&r);
  g_assert_cmpint (r.status, ==, 201);
  answer = json_from_string (text, NULL);
  people = json_object_get_array_member (json_node_get_object (answer), "people");
  /* AUTHOR (all communities), Awa, Esi and the declared one; not Kofi of C2 */
  g_assert_cmpuint (json_array_get_length (people), ==, 4);
  g_assert_null (person_in (people, in_c2));
  o = person_in (people, in_c1);
  g_assert_cmpstr (json_object_get_string_member (o, "name"), ==, "Awa Koné");
  g_assert_cmpstr (json_object_get_string_member (o, "role"), ==, "facilitator");
  g_assert_true (json_node_is_null (json_object_get_member (o, "one_time_pin_hash")));
  g_assert_false (json_object_get_boolean_member (o, "disabled"));
  o = person_in (people, DECLARED);
  g_assert_cmpstr (json_object_get_string_member (o, "name"), ==, "Adjoua Kouamé");
  g_assert_cmpstr (json_object_get_string_member (o, "sex"), ==, "female");
  g_assert_cmpstr (json_object_get_string_member (o, "role"), ==, "facilitator");
  o = person_in (people, with_pin);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (o, "one_time_pin_hash"), "pbkdf2-sha256$"));
  {
    const char *device_id = json_object_get_string_member (json_node_get_object (answer), "device_id");
    g_autoptr(JsonNode) list = NULL;

    g_assert_cmpint (admin (&out, "people", "list", "--db", f->db, "--json", NULL), ==, 0);
    list = json_from_string (out, NULL);
    o = person_in (json_node_get_array (list), DECLARED);
    g_assert_cmpstr (json_object_get_string_member (o, "declared_by"), ==, device_id);
    g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (o, "communities"), 0), ==, C1);
    o = person_in (json_node_get_array (list), in_c1);
    g_assert_cmpstr (json_object_get_string_member (o, "name"), ==, "Awa Koné");
    g_assert_true (json_node_is_null (json_object_get_member (o, "declared_by")));
  }

  /* GET /api/v1/people: the same, authenticated, changes seen */
  auth = g_strconcat ("Authorization: Bearer ",
                      json_object_get_string_member (json_node_get_object (answer), "token"), NULL);
  g_assert_cmpint (admin (NULL, "people", "disable", "--db", f->db, "--reason", "left", in_c1, NULL), ==, 0);
  g_assert_cmpint (admin (NULL, "people", "set-role", "--db", f->db, "--role", "supervisor",
                          "--reason", "the device's supervisor", DECLARED, NULL), ==, 0);
  {
    g_auto(Reply) got = { 0 };
    g_auto(Reply) anonymous = { 0 };
    g_auto(Reply) posted = { 0 };
    g_autofree char *got_text = NULL;

    http (f, "GET", "/api/v1/people", (const char *[]) { auth, NULL }, NULL, 0, FALSE, &got);
    got_text = body_text (&got);
    g_assert_cmpint (got.status, ==, 200);
    listed = json_from_string (got_text, NULL);
    people = json_object_get_array_member (json_node_get_object (listed), "people");
    g_assert_cmpuint (json_array_get_length (people), ==, 4);
    g_assert_null (person_in (people, in_c2));
    g_assert_true (json_object_get_boolean_member (person_in (people, in_c1), "disabled"));
    g_assert_cmpstr (json_object_get_string_member (person_in (people, DECLARED), "role"), ==, "supervisor");

    http (f, "GET", "/api/v1/people", NULL, NULL, 0, FALSE, &anonymous);
    assert_error (&anonymous, 401, "unauthorized", "Authorization: missing");
    http (f, "POST", "/api/v1/people", (const char *[]) { auth, NULL }, "{}", 2, FALSE, &posted);
    assert_error (&posted, 405, "method_not_allowed", "/api/v1/people: use GET");
  }
}

/* Every author rule of a push, and a forged supervisor's review. */
static void
test_author_rules (Fixture       *f,
                   gconstpointer  data)
{
  g_auto(Device) a = { 0 };
  g_auto(Device) b = { 0 };
  g_autofree char *facilitator = NULL, *supervisor = NULL, *elsewhere = NULL, *gone = NULL;
  g_autofree char *hid = g_uuid_string_random ();
  g_autofree char *vid = g_uuid_string_random ();
  g_autofree char *h = NULL, *v = NULL, *batch = NULL, *outcomes = NULL, *visit_body = NULL;
  g_auto(Reply) r = { 0 };

  use_db (f);
  facilitator = add_person ("Awa Koné", "facilitator", C1, FALSE, NULL);
  supervisor = add_person ("Yao Kouassi", "supervisor", C1, FALSE, NULL);
  elsewhere = add_person ("Kofi Mensah", "facilitator", C2, FALSE, NULL);
  gone = add_person ("Ama Owusu", "facilitator", C1, FALSE, NULL);
  g_assert_cmpint (admin (NULL, "people", "disable", "--db", f->db, "--reason", "left", gone, NULL), ==, 0);

  /* A declares its own facilitator at enrolment */
  {
    g_autofree char *code = make_code (C1, "1h");
    g_autofree char *body = g_strdup_printf ("{\"code\":\"%s\",\"device_name\":\"a\",\"people\":"
                                             "[{\"id\":\"" DECLARED "\",\"name\":\"Adjoua\",\"sex\":\"female\"}]}", code);
    g_auto(Reply) enrolled = { 0 };
    g_autofree char *text = NULL;
    g_autoptr(JsonNode) node = NULL;

    http (f, "POST", "/api/v1/enroll", NULL, body, strlen (body), FALSE, &enrolled);
    g_assert_cmpint (enrolled.status, ==, 201);
    text = body_text (&enrolled);
    node = json_from_string (text, NULL);
    a.device_id = g_strdup (json_object_get_string_member (json_node_get_object (node), "device_id"));
    a.token = g_strdup (json_object_get_string_member (json_node_get_object (node), "token"));
    a.auth = g_strconcat ("Authorization: Bearer ", a.token, NULL);
    a.local_id = f->n_devices++ == 0 ? g_strdup (DEVICE) : g_uuid_string_random ();
  }
  enrol (f, C1, &b);

  h = household (hid, 1, C1, "Ama");
  visit_body = g_strdup_printf ("{\"kind\":\"household\",\"household_id\":\"%s\",\"child_id\":null,"
                                "\"date\":\"2026-11-20\",\"answers\":{},\"assessments\":[]}", hid);
  v = envelope ("visit", vid, 1, C1, visit_body);
  batch = g_strdup_printf ("%s\n%s\n", h, v);
  push (f, &a, batch, NULL, &r);
  outcomes = outcomes_of (&r);
  g_assert_cmpstr (outcomes, ==, "stored\nstored\n");

  {
    g_autofree char *review_body = g_strdup_printf ("{\"visit_id\":\"%s\",\"visit_rev\":1,\"decision\":\"returned\","
                                                    "\"message\":\"the ages do not add up\"}", vid);
    g_autofree char *unknown_id = g_uuid_string_random ();
    struct {
      Device     *device;
      const char *type;
      const char *author;
      const char *expected;
    } cases[] = {
      { &a, "household", unknown_id, "rejected: author: not a person of this community\n" },
      { &a, "household", elsewhere, "rejected: author: not a person of this community\n" },
      { &a, "household", gone, "rejected: author: this person was disabled on the server\n" },
      { &a, "household", facilitator, "stored\n" },
      { &b, "household", facilitator, "stored\n" },
      { &a, "household", DECLARED, "stored\n" },
      { &b, "household", DECLARED,
        "rejected: author: declared by another device; only that device may push their records\n" },
      { &a, "review", facilitator, "rejected: author: only a supervisor may approve or return a visit\n" },
      /* a device's own "supervisor" is a facilitator until promoted */
      { &a, "review", DECLARED, "rejected: author: only a supervisor may approve or return a visit\n" },
      { &b, "review", supervisor, "stored\n" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autofree char *id = g_uuid_string_random ();
        g_autofree char *line = NULL;
        g_autofree char *mine = NULL;
        g_autofree char *got = NULL;
        g_auto(Reply) pushed = { 0 };

        line = g_str_equal (cases[i].type, "review") ? envelope ("review", id, 1, C1, review_body)
                                                     : household (id, 1, C1, "Esi");
        mine = by (cases[i].author, line);
        push (f, cases[i].device, mine, NULL, &pushed);
        got = outcomes_of (&pushed);
        g_test_message ("case %u: %s", i, got);
        g_assert_cmpstr (got, ==, cases[i].expected);
      }

    /* promoted, A's supervisor approves; B cannot forge her review */
    g_assert_cmpint (admin (NULL, "people", "set-role", "--db", f->db, "--role", "supervisor",
                            "--reason", "A's supervisor", DECLARED, NULL), ==, 0);
    {
      g_autofree char *id1 = g_uuid_string_random ();
      g_autofree char *id2 = g_uuid_string_random ();
      g_autofree char *r1 = envelope ("review", id1, 1, C1, review_body);
      g_autofree char *r2 = envelope ("review", id2, 1, C1, review_body);
      g_autofree char *mine = by (DECLARED, r1);
      g_autofree char *forged = by (DECLARED, r2);
      g_autofree char *got_a = NULL, *got_b = NULL;
      g_auto(Reply) ra = { 0 };
      g_auto(Reply) rb = { 0 };

      push (f, &a, mine, NULL, &ra);
      got_a = outcomes_of (&ra);
      g_assert_cmpstr (got_a, ==, "stored\n");
      push (f, &b, forged, NULL, &rb);
      got_b = outcomes_of (&rb);
      g_assert_cmpstr (got_b, ==,
                       "rejected: author: declared by another device; only that device may push their records\n");
    }
  }
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  curl_global_init (CURL_GLOBAL_DEFAULT);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/server/health", test_health);
  ADD ("/server/push-correction", test_push_correction);
  ADD ("/server/enroll", test_enrol);
  ADD ("/server/people-commands", test_people_commands);
  ADD ("/server/people-enrolment-and-endpoint", test_people_enrolment);
  ADD ("/server/author-rules", test_author_rules);
  ADD ("/server/push/results", test_push_results);
  ADD ("/server/push/one-batch", test_push_one_batch);
  ADD ("/server/push/minimal", test_push_minimal);
  ADD ("/server/push/idempotency", test_idempotency);
  ADD ("/server/push/response-gzip", test_push_response_gzip);
  ADD ("/server/push/bad-input", test_bad_input);
  ADD ("/server/push/nul-in-string", test_push_nul);
  ADD ("/server/push/revoked", test_revoked);
  ADD ("/server/pull/scoping", test_pull_scoping);
  ADD ("/server/pull/paging", test_pull_paging);
  ADD ("/server/pull/paging-bytes", test_pull_paging_bytes);
  ADD ("/server/publish", test_publish);
  ADD ("/server/export-and-restart", test_export_and_restart);
  ADD ("/server/push/concurrent", test_concurrent_pushes);
#undef ADD
  g_test_add_func ("/server/rate-limit", test_rate_limit);
  g_test_add_func ("/server/tls", test_tls);
  g_test_add_func ("/server/cli", test_cli);
  g_test_add_func ("/server/postgres/two-processes", test_two_processes);
  g_test_add_func ("/server/postgres/pg-dump-restore", test_pg_dump_restore);

  status = g_test_run ();
  curl_global_cleanup ();
  return status;
}
