/* test-server-door.c: the real clmrs-server and clmrs at the door: TLS or loopback, limits per address and for memory, length headers, token guessing, a full disk, neutral reasons, CSV injection, devices and re-enrolment. */
#include "client.h"
#include "demo.h"
#include "store.h"
#include "store-test-helpers.h"
#include "sync-harness.h"
#include "syncstore.h"
#include "util.h"
#include "wire.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define C1 "11111111-1111-4111-8111-111111111111"
#define C2 "22222222-2222-4222-8222-222222222222"
#define AUTHOR "33333333-3333-4333-8333-333333333333"
#define DEVICE "44444444-4444-4444-8444-444444444444"

/* Another client address on this machine: Linux routes all of
 * 127.0.0.0/8 to the loopback interface, so a socket bound to it reaches
 * the server as a second client. */
#define OTHER_ADDRESS "127.0.0.2"

typedef struct {
  char             *dir;
  char             *db;
  char             *log;
  GSubprocess      *server;
  GDataInputStream *out;       /* the server's stdout after its first line */
  char             *base;      /* http://127.0.0.1:PORT */
  guint16           port;
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

/* ---- Programs and the server ------------------------------------------------- */

/* Runs @argv in @cwd (NULL: here) with @env (NULL: the tests'); returns
 * the exit status, stdout and stderr. */
static int
spawn (const char  *cwd,
       char       **env,
       const char  *const *argv,
       char       **out,
       char       **err)
{
  g_auto(GStrv) default_env = sync_test_environ ();
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_spawn_sync (cwd, (char **) argv, env != NULL ? env : default_env, G_SPAWN_DEFAULT, NULL, NULL,
                &stdout_text, &stderr_text, &status, &error);
  g_assert_no_error (error);
  if (stderr_text != NULL && *stderr_text != '\0')
    g_test_message ("%s %s: stderr: %s", argv[0], argv[1], stderr_text);
  if (out != NULL)
    *out = g_steal_pointer (&stdout_text);
  if (err != NULL)
    *err = g_steal_pointer (&stderr_text);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

/* `clmrs-server serve --db DB --listen LISTEN --rate 0 EXTRA...` with
 * @env added; returns once it listens. */
static void
server_start_on (Fixture            *f,
                 const char         *listen,
                 const char * const *extra,
                 const char         *env_name,
                 const char         *env_value)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) env = sync_test_environ ();
  g_autofree char *line = NULL;
  const char *prefix = "clmrs-server: listening on ";
  const char *colon;

  g_assert_null (f->server);
  g_ptr_array_add (argv, (gpointer) sync_test_server_program ());
  g_ptr_array_add (argv, "serve");
  g_ptr_array_add (argv, "--db");
  g_ptr_array_add (argv, f->db);
  g_ptr_array_add (argv, "--listen");
  g_ptr_array_add (argv, (gpointer) listen);
  g_ptr_array_add (argv, "--rate");
  g_ptr_array_add (argv, "0");
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) extra[i]);
  g_ptr_array_add (argv, NULL);
  if (env_name != NULL)
    env = g_environ_setenv (env, env_name, env_value, TRUE);
  g_subprocess_launcher_set_environ (launcher, env);
  g_subprocess_launcher_take_stderr_fd (launcher, g_open (f->log, O_WRONLY | O_CREAT | O_APPEND, 0600));
  f->server = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  f->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (f->server));
  line = g_data_input_stream_read_line (f->out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, prefix));
  colon = strrchr (line, ':');
  f->port = (guint16) g_ascii_strtoull (colon + 1, NULL, 10);
  g_assert_cmpuint (f->port, >, 0);
  g_free (f->base);
  f->base = g_strdup_printf ("http://127.0.0.1:%u", f->port);
}

static void
server_start (Fixture            *f,
              const char * const *extra)
{
  server_start_on (f, "127.0.0.1:0", extra, NULL, NULL);
}

/* SIGTERM, a clean exit; returns what the server said on stdout after
 * its first line (the "stopped" line). */
static char *
server_stop (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) rest = g_string_new (NULL);
  char *line;

  if (f->server == NULL)
    return NULL;
  g_subprocess_send_signal (f->server, SIGTERM);
  while ((line = g_data_input_stream_read_line (f->out, NULL, NULL, NULL)) != NULL)
    {
      g_string_append_printf (rest, "%s\n", line);
      g_free (line);
    }
  g_subprocess_wait (f->server, NULL, &error);
  g_assert_no_error (error);
  if (g_subprocess_get_if_signaled (f->server))
    g_error ("the server died of signal %d; its stdout said: %s", g_subprocess_get_term_sig (f->server), rest->str);
  g_assert_true (g_subprocess_get_if_exited (f->server));
  g_assert_cmpint (g_subprocess_get_exit_status (f->server), ==, 0);
  g_clear_object (&f->out);
  g_clear_object (&f->server);
  return g_string_free (g_steal_pointer (&rest), FALSE);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = sync_test_make_dir ();
  f->db = g_build_filename (f->dir, "server.db", NULL);
  f->log = g_build_filename (f->dir, "server.log", NULL);
  /* the envelopes' author is a person the server knows */
  g_free (sync_test_add_person (f->db, AUTHOR, "facilitator", "all"));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *rest = server_stop (f);
  g_autofree char *log = NULL;

  /* The log never holds a token or child data. */
  if (g_file_get_contents (f->log, &log, NULL, NULL))
    {
      g_assert_null (strstr (log, "Bearer"));
      g_assert_null (strstr (log, "Ama"));
    }
  sync_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->db);
  g_free (f->log);
  g_free (f->base);
}

/* ---- HTTP ------------------------------------------------------------------ */

typedef struct {
  const guint8 *data;
  gsize         length;
  gsize         pos;
  gsize         piece;     /* 0: as much as asked */
  guint         pause_ms;  /* between pieces: a slow upload */
} Upload;

static size_t
read_cb (char   *buffer,
         size_t  size,
         size_t  n,
         void   *data)
{
  Upload *up = data;
  gsize take = MIN (size * n, up->length - up->pos);

  if (up->piece > 0)
    take = MIN (take, up->piece);
  if (up->pause_ms > 0 && up->pos > 0 && take > 0)
    g_usleep (up->pause_ms * 1000);
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

/* One request from @from (a local address, NULL: 127.0.0.1); @up (may be
 * NULL) is POSTed chunked when @chunked.  Returns libcurl's result. */
static CURLcode
http_from (const char        *base,
           const char        *from,
           const char        *method,
           const char        *path,
           const char *const *headers,
           Upload            *up,
           gboolean           chunked,
           Reply             *reply)
{
  CURL *curl = curl_easy_init ();
  struct curl_slist *list = NULL;
  g_autofree char *url = g_strconcat (base, path, NULL);
  CURLcode rc;

  reply->headers = g_string_new (NULL);
  reply->body = g_byte_array_new ();
  curl_easy_setopt (curl, CURLOPT_URL, url);
  curl_easy_setopt (curl, CURLOPT_TIMEOUT, 60L);
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, write_cb);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, reply->body);
  curl_easy_setopt (curl, CURLOPT_HEADERFUNCTION, header_cb);
  curl_easy_setopt (curl, CURLOPT_HEADERDATA, reply->headers);
  if (from != NULL)
    curl_easy_setopt (curl, CURLOPT_INTERFACE, from);
  for (guint i = 0; headers != NULL && headers[i] != NULL; i++)
    list = curl_slist_append (list, headers[i]);
  list = curl_slist_append (list, "Expect:");
  if (strcmp (method, "POST") == 0)
    {
      curl_easy_setopt (curl, CURLOPT_POST, 1L);
      curl_easy_setopt (curl, CURLOPT_READFUNCTION, read_cb);
      curl_easy_setopt (curl, CURLOPT_READDATA, up);
      if (chunked)
        list = curl_slist_append (list, "Transfer-Encoding: chunked");
      else
        curl_easy_setopt (curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) up->length);
    }
  else if (strcmp (method, "HEAD") == 0)
    curl_easy_setopt (curl, CURLOPT_NOBODY, 1L);
  curl_easy_setopt (curl, CURLOPT_HTTPHEADER, list);
  rc = curl_easy_perform (curl);
  curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &reply->status);
  curl_slist_free_all (list);
  curl_easy_cleanup (curl);
  return rc;
}

static void
http (Fixture           *f,
      const char        *from,
      const char        *method,
      const char        *path,
      const char *const *headers,
      const char        *body,
      Reply             *reply)
{
  Upload up = { (const guint8 *) body, body != NULL ? strlen (body) : 0, 0, 0, 0 };
  CURLcode rc = http_from (f->base, from, method, path, headers, &up, FALSE, reply);

  if (rc != CURLE_OK)
    g_error ("%s %s: %s", method, path, curl_easy_strerror (rc));
}

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

  g_test_message ("reply %ld %s", r->status, text);
  g_assert_cmpint (r->status, ==, status);
  g_assert_true (clmrs_wire_error_parse (text, strlen (text), &got_code, &message));
  g_assert_cmpstr (got_code, ==, code);
  if (!g_str_has_prefix (message, prefix))
    g_error ("message \"%s\" does not start with \"%s\"", message, prefix);
}

/* A TCP connection to the server from @from (NULL: any local address). */
static int
connect_from (Fixture    *f,
              const char *from)
{
  struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons (f->port) };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  if (from != NULL)
    {
      struct sockaddr_in local = { .sin_family = AF_INET };

      g_assert_cmpint (inet_pton (AF_INET, from, &local.sin_addr), ==, 1);
      g_assert_cmpint (bind (fd, (struct sockaddr *) &local, sizeof local), ==, 0);
    }
  g_assert_cmpint (inet_pton (AF_INET, "127.0.0.1", &to.sin_addr), ==, 1);
  g_assert_cmpint (connect (fd, (struct sockaddr *) &to, sizeof to), ==, 0);
  return fd;
}

/* Sends @request as it is and reads until the server closes (at most
 * @timeout_ms); returns everything read. */
static char *
raw_exchange (Fixture    *f,
              const char *request,
              guint       timeout_ms)
{
  int fd = connect_from (f, NULL);
  g_autoptr(GString) in = g_string_new (NULL);
  gint64 until = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  g_assert_cmpint (send (fd, request, strlen (request), MSG_NOSIGNAL), ==, (gssize) strlen (request));
  for (;;)
    {
      struct pollfd p = { fd, POLLIN, 0 };
      char buffer[4096];
      gssize n;
      gint64 left = (until - g_get_monotonic_time ()) / 1000;

      if (left <= 0 || poll (&p, 1, (int) left) <= 0)
        break;
      n = recv (fd, buffer, sizeof buffer, 0);
      if (n <= 0)
        break;
      g_string_append_len (in, buffer, n);
    }
  close (fd);
  return g_string_free (g_steal_pointer (&in), FALSE);
}

/* Whether the server closed @fd within @timeout_ms (reading what it sends). */
static gboolean
closed_within (int   fd,
               guint timeout_ms)
{
  gint64 until = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      struct pollfd p = { fd, POLLIN, 0 };
      char buffer[4096];
      gint64 left = (until - g_get_monotonic_time ()) / 1000;

      if (left <= 0 || poll (&p, 1, (int) left) <= 0)
        return FALSE;
      if (recv (fd, buffer, sizeof buffer, 0) <= 0)
        return TRUE;
    }
}

/* ---- Protocol helpers ------------------------------------------------------ */

static char *
make_code (Fixture    *f,
           const char *communities)
{
  return sync_test_enrol_code (f->db, communities);
}

typedef struct {
  char *device_id;
  char *token;
  char *auth;      /* "Authorization: Bearer ..." */
} Device;

static void
device_clear (Device *d)
{
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
  g_autofree char *code = make_code (f, communities);
  g_autofree char *body = g_strdup_printf ("{\"code\":\"%s\",\"device_name\":\"tablet\"}", code);
  g_auto(Reply) r = { 0 };
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *o;

  http (f, NULL, "POST", "/api/v1/enroll", NULL, body, &r);
  text = body_text (&r);
  g_assert_cmpint (r.status, ==, 201);
  node = json_from_string (text, NULL);
  o = json_node_get_object (node);
  d->device_id = g_strdup (json_object_get_string_member (o, "device_id"));
  d->token = g_strdup (json_object_get_string_member (o, "token"));
  d->auth = g_strconcat ("Authorization: Bearer ", d->token, NULL);
}

static char *
envelope (const char *type,
          const char *id,
          const char *community,
          const char *body)
{
  return g_strdup_printf ("{\"v\":1,\"id\":\"%s\",\"type\":\"%s\",\"rev\":1,\"device_id\":\"" DEVICE "\","
                          "\"author\":\"" AUTHOR "\",\"community_id\":\"%s\","
                          "\"created\":\"2026-11-23T09:00:00Z\",\"modified\":\"2026-11-23T09:00:00Z\","
                          "\"schema\":\"clmrs.%s@1\",\"rules\":null,\"body\":%s}",
                          id, type, community, type, body);
}

static char *
household (const char *id,
           const char *community,
           const char *head)
{
  g_autofree char *body = g_strdup_printf ("{\"head_name\":\"%s\",\"head_sex\":\"female\"}", head);

  return envelope ("household", id, community, body);
}

/* POSTs @ndjson gzip'd as a batch under @key (a new one when NULL). */
static void
push (Fixture    *f,
      Device     *d,
      const char *ndjson,
      const char *key,
      Reply      *r)
{
  /* each device stamps its envelopes with an id of its own (the server
     binds it to the device at its first push): here, its server id */
  g_auto(GStrv) parts = g_strsplit (ndjson, DEVICE, -1);
  g_autofree char *own = g_strjoinv (d->device_id, parts);
  g_autoptr(GBytes) gz = clmrs_gzip_compress (own, strlen (own), NULL);
  g_autofree char *fresh = g_uuid_string_random ();
  g_autofree char *key_header = g_strconcat ("Idempotency-Key: ", key != NULL ? key : fresh, NULL);
  const char *headers[] = { d->auth, "Content-Encoding: gzip", key_header, NULL };
  Upload up = { g_bytes_get_data (gz, NULL), g_bytes_get_size (gz), 0, 0, 0 };

  g_assert_cmpint (http_from (f->base, NULL, "POST", "/api/v1/push", headers, &up, FALSE, r), ==, CURLE_OK);
}

static gint64
stat_of (Fixture    *f,
         const char *name)
{
  return sync_test_server_stat (f->db, name);
}

/* The device entries of `clmrs-server devices --json`. */
static JsonArray *
devices_json (Fixture    *f,
              JsonNode  **keep)
{
  g_autofree char *out = sync_test_run_ok (sync_test_server_program (), "devices", "--db", f->db, "--json", NULL);

  *keep = json_from_string (out, NULL);
  g_assert_nonnull (*keep);
  return json_node_get_array (*keep);
}

static JsonObject *
device_entry (JsonArray  *devices,
              const char *device_id)
{
  for (guint i = 0; i < json_array_get_length (devices); i++)
    {
      JsonObject *o = json_array_get_object_element (devices, i);

      if (g_strcmp0 (json_object_get_string_member (o, "device_id"), device_id) == 0)
        return o;
    }
  g_error ("device %s not listed", device_id);
  return NULL;
}

/* ---- 1. TLS or loopback ----------------------------------------------------- */

/* A non-loopback IPv4 address of this machine, or NULL. */
static char *
outside_address (void)
{
  struct ifaddrs *list = NULL, *i;
  char *found = NULL;

  if (getifaddrs (&list) != 0)
    return NULL;
  for (i = list; i != NULL && found == NULL; i = i->ifa_next)
    if (i->ifa_addr != NULL && i->ifa_addr->sa_family == AF_INET)
      {
        const struct sockaddr_in *a = (const struct sockaddr_in *) i->ifa_addr;
        char text[INET_ADDRSTRLEN];

        if ((ntohl (a->sin_addr.s_addr) >> 24) != 127 && inet_ntop (AF_INET, &a->sin_addr, text, sizeof text))
          found = g_strdup (text);
      }
  freeifaddrs (list);
  return found;
}

/* A device database with a community and people, no records. */
static char *
make_device (Fixture    *f,
             const char *name)
{
  g_autofree char *file = g_strconcat (name, ".db", NULL);
  char *path = g_build_filename (f->dir, file, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsStore) store = clmrs_store_open (path, &error);

  g_assert_no_error (error);
  return path;
}

static void
test_plain_http_refused (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *err = NULL;
  g_autofree char *outside = outside_address ();
  const char *open_all[] = { sync_test_server_program (), "serve", "--db", f->db, "--listen", "0.0.0.0:0", NULL };
  g_autofree char *device = make_device (f, "device");

  /* The server will not serve plain HTTP to the network by default... */
  g_assert_cmpint (spawn (NULL, NULL, open_all, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "--listen 0.0.0.0:0: not a loopback address"));
  g_assert_nonnull (strstr (err, "--tls-cert"));
  g_assert_nonnull (strstr (err, "--insecure-http"));
  g_clear_pointer (&err, g_free);

  /* ...nor the client send its token over it. */
  {
    const char *argv[] = { sync_test_cli (), "--db", device, "enroll", "--server", "http://192.0.2.1:8080",
                           "--code", "K7QM-3XPA-9RTF-2WBN", NULL };

    g_assert_cmpint (spawn (NULL, NULL, argv, NULL, &err), ==, 3);
    g_assert_nonnull (strstr (err, "plain http:// to 192.0.2.1, which is not this machine"));
    g_assert_nonnull (strstr (err, "--insecure-http"));
    g_clear_pointer (&err, g_free);
  }

  /* Loopback in every spelling is allowed: the attempt is made (and finds
   * nothing listening on port 1) instead of being refused. */
  {
    static const char *const loopback[] = { "http://[::1]:1", "http://localhost:1", "http://LOCALHOST:1",
                                            "http://127.3.4.5:1", "http://127.0.0.1:1/" };
    g_autoptr(ClmrsStore) store = clmrs_store_open (device, NULL);

    for (guint i = 0; i < G_N_ELEMENTS (loopback); i++)
      {
        ClmrsSyncConfig config = { .server_url = loopback[i], .max_attempts = 1, .connect_timeout_s = 2 };
        g_autoptr(GError) error = NULL;

        g_assert_false (clmrs_sync_check_health (store, &config, NULL, &error));
        g_test_message ("%s: %s", loopback[i], error->message);
        g_assert_error (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_NETWORK);
      }
    {
      ClmrsSyncConfig config = { .server_url = "http://hub.example:8080", .max_attempts = 1 };
      g_autoptr(GError) error = NULL;

      g_assert_false (clmrs_sync_check_health (store, &config, NULL, &error));
      g_assert_error (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_REFUSED);
      g_assert_nonnull (strstr (error->message, "plain http:// to hub.example, which is not this machine"));
    }
  }

  if (outside == NULL)
    {
      g_test_message ("no non-loopback IPv4 address here: the --insecure-http half is not run");
      return;
    }

  /* Both sides agree to it explicitly: it works. */
  {
    const char *extra[] = { "--insecure-http", NULL };
    g_autofree char *code = NULL;
    g_autofree char *url = NULL;
    g_autofree char *listen = g_strdup_printf ("%s:0", outside);

    server_start_on (f, listen, extra, NULL, NULL);
    code = make_code (f, C1);
    url = g_strdup_printf ("http://%s:%u", outside, f->port);
    {
      const char *refused[] = { sync_test_cli (), "--db", device, "enroll", "--server", url, "--code", code, NULL };
      const char *allowed[] = { sync_test_cli (), "--db", device, "enroll", "--server", url, "--code", code,
                                "--insecure-http", NULL };

      g_assert_cmpint (spawn (NULL, NULL, refused, NULL, &err), ==, 3);
      g_assert_nonnull (strstr (err, "--insecure-http"));
      g_assert_cmpint (spawn (NULL, NULL, allowed, NULL, NULL), ==, 0);
    }
  }
}

static void
test_cacert_copied (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *cert = g_build_filename (g_getenv ("CLMRS_SOURCE_DIR"), "tests", "data", "tls-cert.pem", NULL);
  g_autofree char *key = g_build_filename (g_getenv ("CLMRS_SOURCE_DIR"), "tests", "data", "tls-key.pem", NULL);
  const char *extra[] = { "--tls-cert", cert, "--tls-key", key, NULL };
  g_autofree char *work = g_build_filename (f->dir, "work", NULL);
  g_autofree char *copy = g_build_filename (work, "ca.pem", NULL);
  g_autofree char *pem = NULL;
  g_autofree char *code = NULL;
  g_autofree char *url = NULL;
  g_autofree char *device = make_device (f, "device");
  g_autofree char *err = NULL;
  gsize length;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir (work, 0700), ==, 0);
  g_assert_true (g_file_get_contents (cert, &pem, &length, &error));
  g_assert_true (g_file_set_contents (copy, pem, (gssize) length, &error));
  server_start (f, extra);
  code = make_code (f, C1);
  url = g_strdup_printf ("https://127.0.0.1:%u", f->port);

  /* Not a PEM file: said so, nothing enrolled. */
  {
    const char *argv[] = { sync_test_cli (), "--db", device, "enroll", "--server", url, "--code", code,
                           "--cacert", device, NULL };

    g_assert_cmpint (spawn (NULL, NULL, argv, NULL, &err), ==, 3);
    g_assert_nonnull (strstr (err, "not a PEM file of certificates"));
  }

  /* A relative --cacert, from the directory it is in... */
  {
    const char *argv[] = { sync_test_cli (), "--db", device, "enroll", "--server", url, "--code", code,
                           "--cacert", "ca.pem", NULL };

    g_assert_cmpint (spawn (work, NULL, argv, NULL, NULL), ==, 0);
  }
  /* ...is kept as its bytes: the file can go, and sync runs from elsewhere. */
  g_assert_cmpint (g_unlink (copy), ==, 0);
  {
    const char *argv[] = { sync_test_cli (), "--db", device, "sync", NULL };
    g_autoptr(ClmrsStore) store = NULL;
    g_autofree char *stored = NULL;
    g_autofree char *path = NULL;

    g_assert_cmpint (spawn (f->dir, NULL, argv, NULL, NULL), ==, 0);
    store = clmrs_store_open (device, &error);
    g_assert_no_error (error);
    g_assert_true (clmrs_store_get_meta (store, "server_ca_pem", &stored, &error));
    g_assert_true (clmrs_store_get_meta (store, "server_cacert", &path, &error));
    g_assert_cmpstr (stored, ==, pem);
    g_assert_null (path);
  }
}

/* ---- 2. Per-address connections, idle timeout, memory for bodies ---------- */

static void
test_slow_loris (Fixture       *f,
                 gconstpointer  data)
{
  const char *extra[] = { "--max-connections-per-address", "4", "--idle-timeout", "2s", NULL };
  int held[12];
  guint refused = 0, kept_open = 0;

  server_start (f, extra);
  /* One address opens many connections and sends half a request line
   * on each, the way a slow-loris does. */
  for (guint i = 0; i < G_N_ELEMENTS (held); i++)
    {
      held[i] = connect_from (f, OTHER_ADDRESS);
      send (held[i], "GET /api/v1/health HTTP/1.1\r\nHost: x\r\n", 38, MSG_NOSIGNAL);
    }
  /* Past the limit of 4, the server closes them at once. */
  for (guint i = 0; i < G_N_ELEMENTS (held); i++)
    if (closed_within (held[i], 300))
      refused++;
    else
      kept_open++;
  g_test_message ("%u closed at once, %u held", refused, kept_open);
  g_assert_cmpuint (kept_open, <=, 4);
  g_assert_cmpuint (refused, >=, G_N_ELEMENTS (held) - 4);

  /* Everyone else is still answered, at once. */
  {
    g_auto(Reply) r = { 0 };
    gint64 start = g_get_monotonic_time ();

    http (f, NULL, "GET", "/api/v1/health", NULL, NULL, &r);
    g_assert_cmpint (r.status, ==, 200);
    g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
  }

  /* What the address holds is closed once it has been silent 2 s. */
  for (guint i = 0; i < G_N_ELEMENTS (held); i++)
    {
      g_assert_true (closed_within (held[i], 6000));
      close (held[i]);
    }
}

typedef struct {
  Fixture    *f;
  const char *auth;
  long        status;
  char       *retry_after;
  char       *code;
} Uploader;

static gpointer
uploader_thread (gpointer data)
{
  Uploader *u = data;
  gsize length = 400 * 1024;
  g_autofree guint8 *bytes = g_malloc (length);
  g_autofree char *key = g_strconcat ("Idempotency-Key: ", "5a1c3e2f-8b7d-4c6e-9f0a-1b2c3d4e5f6a", NULL);
  const char *headers[] = { u->auth, "Content-Encoding: gzip", key, NULL };
  /* 16 KiB pieces every 20 ms: about half a second an upload, so they overlap */
  Upload up = { NULL, length, 0, 16 * 1024, 20 };
  g_auto(Reply) r = { 0 };

  for (gsize i = 0; i < length; i++)
    bytes[i] = (guint8) g_random_int ();
  up.data = bytes;
  if (http_from (u->f->base, NULL, "POST", "/api/v1/push", headers, &up, TRUE, &r) == CURLE_OK)
    {
      g_autofree char *text = body_text (&r);

      u->status = r.status;
      g_autofree char *message = NULL;

      u->retry_after = header_value (&r, "Retry-After");
      clmrs_wire_error_parse (text, strlen (text), &u->code, &message);
    }
  return NULL;
}

static void
test_inflight_budget (Fixture       *f,
                      gconstpointer  data)
{
  const char *extra[] = { "--max-inflight", "1M", "--max-body", "512K", NULL };
  g_auto(Device) d = { 0 };
  Uploader uploaders[16];
  GThread *threads[G_N_ELEMENTS (uploaders)];
  guint busy = 0, read_whole = 0;
  g_autofree char *stopped = NULL;
  const char *peak;
  guint64 peak_bytes;

  server_start (f, extra);
  enrol (f, C1, &d);
  /* 16 uploads of 400 KiB at once, chunked (no length told up front, so
   * the budget is kept chunk by chunk): 6.4 MiB against a 1 MiB budget. */
  for (guint i = 0; i < G_N_ELEMENTS (uploaders); i++)
    {
      uploaders[i] = (Uploader) { .f = f, .auth = d.auth };
      threads[i] = g_thread_new ("uploader", uploader_thread, &uploaders[i]);
    }
  /* Meanwhile others are answered. */
  g_usleep (200 * 1000);
  {
    g_auto(Reply) r = { 0 };

    http (f, NULL, "GET", "/api/v1/health", NULL, NULL, &r);
    g_assert_cmpint (r.status, ==, 200);
  }
  for (guint i = 0; i < G_N_ELEMENTS (uploaders); i++)
    {
      g_thread_join (threads[i]);
      g_test_message ("upload %u: %ld %s", i, uploaders[i].status, uploaders[i].code);
      if (uploaders[i].status == 503)
        {
          g_assert_cmpstr (uploaders[i].code, ==, "busy");
          g_assert_nonnull (uploaders[i].retry_after);
          busy++;
        }
      else
        {
          /* buffered whole, then found not to be gzip */
          g_assert_cmpint (uploaders[i].status, ==, 400);
          g_assert_cmpstr (uploaders[i].code, ==, "malformed_gzip");
          read_whole++;
        }
      g_free (uploaders[i].retry_after);
      g_free (uploaders[i].code);
    }
  g_assert_cmpuint (busy, >, 0);
  g_assert_cmpuint (read_whole, >, 0);

  /* Never more than the budget was held at once. */
  stopped = server_stop (f);
  g_test_message ("%s", stopped);
  peak = strstr (stopped, "at most ");
  g_assert_nonnull (peak);
  peak_bytes = g_ascii_strtoull (peak + 8, NULL, 10);
  g_assert_cmpuint (peak_bytes, >, 0);
  g_assert_cmpuint (peak_bytes, <=, 1024 * 1024);

  /* A body whose Content-Length alone passes the budget is refused before it is read. */
  {
    const char *small[] = { "--max-inflight", "1K", NULL };
    g_autofree char *big = g_strnfill (4096, 'x');
    g_auto(Reply) r = { 0 };
    g_autofree char *key = g_strconcat ("Idempotency-Key: ", "5a1c3e2f-8b7d-4c6e-9f0a-1b2c3d4e5f6a", NULL);
    const char *headers[] = { d.auth, "Content-Encoding: gzip", key, NULL };

    server_start (f, small);
    http (f, NULL, "POST", "/api/v1/push", headers, big, &r);
    assert_error (&r, 503, "busy", "the server is receiving too many uploads at once (over its --max-inflight");
  }
}

/* ---- 3. Conflicting length headers ------------------------------------------ */

static void
test_length_headers (Fixture       *f,
                     gconstpointer  data)
{
  server_start (f, NULL);
  {
    g_autofree char *in = raw_exchange (f, "POST /api/v1/enroll HTTP/1.1\r\nHost: x\r\n"
                                           "Content-Length: 5\r\nContent-Length: 7\r\n\r\n{}1234567", 5000);

    g_test_message ("%s", in);
    g_assert_true (g_str_has_prefix (in, "HTTP/1.1 400 "));
    g_assert_nonnull (strstr (in, "Connection: close"));
    g_assert_nonnull (strstr (in, "\"code\":\"bad_request\",\"message\":\"Content-Length: sent more than once "
                                  "with different values; send it once\""));
  }
  {
    g_autofree char *in = raw_exchange (f, "POST /api/v1/enroll HTTP/1.1\r\nHost: x\r\n"
                                           "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                                           "2\r\n{}\r\n0\r\n\r\n", 5000);

    g_test_message ("%s", in);
    g_assert_true (g_str_has_prefix (in, "HTTP/1.1 400 "));
    g_assert_nonnull (strstr (in, "Connection: close"));
    g_assert_nonnull (strstr (in, "\"message\":\"Transfer-Encoding and Content-Length: both sent; "
                                  "send one of them\""));
  }
  /* The same length twice is one length (RFC 9110): the body is read. */
  {
    g_autofree char *in = raw_exchange (f, "POST /api/v1/enroll HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                                           "Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}", 5000);

    g_assert_nonnull (strstr (in, "code: expected a non-empty string"));
  }
}

/* ---- 4. Wrong tokens, and the address in every log line ----------------------- */

static void
test_token_guessing (Fixture       *f,
                     gconstpointer  data)
{
  g_auto(Device) d = { 0 };
  g_autofree char *log = NULL;
  g_auto(GStrv) lines = NULL;
  guint logged = 0;

  server_start (f, NULL);
  enrol (f, C1, &d);
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *guess = g_strdup_printf ("Authorization: Bearer guess%02uguessguessguessguessguessguessguessgu", i);
      const char *headers[] = { guess, NULL };
      g_auto(Reply) r = { 0 };

      http (f, OTHER_ADDRESS, "GET", "/api/v1/pull", headers, NULL, &r);
      assert_error (&r, 401, "unauthorized", "Authorization: the bearer token is not valid");
    }
  /* The 11th attempt from that address is refused, whatever token it sends... */
  {
    const char *headers[] = { "Authorization: Bearer guess10guessguessguessguessguessguessguessgu", NULL };
    const char *good[] = { d.auth, NULL };
    g_auto(Reply) r = { 0 };
    g_auto(Reply) r2 = { 0 };
    g_autofree char *retry = NULL;

    http (f, OTHER_ADDRESS, "GET", "/api/v1/pull", headers, NULL, &r);
    assert_error (&r, 429, "rate_limited", "too many wrong tokens from this address");
    retry = header_value (&r, "Retry-After");
    g_assert_nonnull (retry);
    g_assert_cmpint (atoi (retry), >=, 1);
    g_assert_cmpint (atoi (retry), <=, 60);
    http (f, OTHER_ADDRESS, "GET", "/api/v1/pull", good, NULL, &r2);
    assert_error (&r2, 429, "rate_limited", "too many wrong tokens from this address");
  }
  /* ...while another address with a good token is served. */
  {
    const char *good[] = { d.auth, NULL };
    g_auto(Reply) r = { 0 };

    http (f, NULL, "GET", "/api/v1/pull", good, NULL, &r);
    g_assert_cmpint (r.status, ==, 200);
  }

  /* Every request's log line names its client address, never a token. */
  g_free (server_stop (f));
  g_assert_true (g_file_get_contents (f->log, &log, NULL, NULL));
  g_assert_null (strstr (log, d.token));
  g_assert_null (strstr (log, "guess"));
  lines = g_strsplit (log, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], " /api/v1/") != NULL)
      {
        g_assert_true (strstr (lines[i], " address=127.0.0.1 ") != NULL
                       || strstr (lines[i], " address=" OTHER_ADDRESS " ") != NULL);
        logged++;
      }
  g_assert_cmpuint (logged, ==, 14);
}

/* ---- 5. HEAD /api/v1/health ------------------------------------------------------- */

static void
test_health_head (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *in = NULL;
  g_auto(Reply) r = { 0 };

  server_start (f, NULL);
  http (f, NULL, "HEAD", "/api/v1/health", NULL, NULL, &r);
  g_assert_cmpint (r.status, ==, 200);
  g_assert_cmpuint (r.body->len, ==, 0);
  /* On the wire: headers, then nothing. */
  in = raw_exchange (f, "HEAD /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 5000);
  g_assert_true (g_str_has_prefix (in, "HTTP/1.1 200 OK\r\n"));
  g_assert_true (g_str_has_suffix (in, "\r\n\r\n"));
}

/* ---- 6. A full disk ---------------------------------------------------------------- */

static gint64
page_count (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 pages;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA page_count", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  pages = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return pages;
}

static void
test_disk_full (Fixture       *f,
                gconstpointer  data)
{
  g_auto(Device) d = { 0 };
  g_autoptr(GString) batch = g_string_new (NULL);
  g_autofree char *key = g_uuid_string_random ();
  g_autofree char *first = NULL;
  g_autofree char *first_id = g_uuid_string_random ();
  g_autofree char *cap = NULL;
  g_autofree char *long_name = g_strnfill (400, 'k');

  if (sync_test_server_on_postgres ())
    {
      g_test_skip ("a full disk is SQLite's max_page_count here; PostgreSQL reports 53100 (server-store.c)");
      return;
    }

  server_start (f, NULL);
  enrol (f, C1, &d);
  first = household (first_id, C1, "Esi");
  {
    g_auto(Reply) r = { 0 };

    push (f, &d, first, NULL, &r);
    g_assert_cmpint (r.status, ==, 200);
  }
  g_free (server_stop (f));

  /* The database may grow by one page: a batch of 300 records cannot fit. */
  cap = g_strdup_printf ("%" G_GINT64_FORMAT, page_count (f->db) + 1);
  server_start_on (f, "127.0.0.1:0", NULL, "CLMRS_SERVER_TEST_MAX_PAGE_COUNT", cap);
  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *id = g_uuid_string_random ();
      g_autofree char *line = household (id, C1, long_name);

      g_string_append_printf (batch, "%s\n", line);
    }
  {
    g_auto(Reply) r = { 0 };
    g_autofree char *retry = NULL;

    push (f, &d, batch->str, key, &r);
    assert_error (&r, 507, "insufficient_storage",
                  "the server's disk is full; nothing was stored, try again later");
    retry = header_value (&r, "Retry-After");
    g_assert_nonnull (retry);
  }
  g_free (server_stop (f));
  g_assert_cmpint (stat_of (f, "records"), ==, 1);

  /* With room again, the same batch under the same key is decided afresh:
   * nothing of the failed attempt was kept, not even its answer. */
  server_start (f, NULL);
  {
    g_auto(Reply) r = { 0 };
    g_autofree char *replayed = NULL;
    g_autofree char *text = NULL;

    push (f, &d, batch->str, key, &r);
    g_assert_cmpint (r.status, ==, 200);
    replayed = header_value (&r, "X-Clmrs-Replayed");
    g_assert_cmpstr (replayed, ==, "false");
    text = body_text (&r);
    g_assert_nonnull (strstr (text, "\"stored\":300"));
  }
}

/* ---- 7. CSV injection ------------------------------------------------------------- */

static void
test_csv_injection (Fixture       *f,
                    gconstpointer  data)
{
  g_auto(Device) d = { 0 };
  g_autofree char *h1_id = g_uuid_string_random ();
  g_autofree char *h2_id = g_uuid_string_random ();
  g_autofree char *h1 = household (h1_id, C1, "=HYPERLINK(\\\"http://x\\\")");
  g_autofree char *h2 = NULL;
  g_autofree char *batch = NULL;
  g_autofree char *csv_dir = g_build_filename (f->dir, "csv", NULL);
  g_autofree char *csv_path = g_build_filename (csv_dir, "household.csv", NULL);
  g_autofree char *csv = NULL;
  g_autoptr(GError) error = NULL;

  server_start (f, NULL);
  enrol (f, C1, &d);
  h2 = envelope ("household", h2_id, C1,
                 "{\"head_name\":\"@SUM(A1)\",\"head_sex\":\"female\",\"origin\":\"-female\",\"men\":-3,"
                 "\"note\":\"\\tx\"}");
  batch = g_strdup_printf ("%s\n%s\n", h1, h2);
  {
    g_auto(Reply) r = { 0 };

    push (f, &d, batch, NULL, &r);
    g_assert_cmpint (r.status, ==, 200);
    g_assert_nonnull (strstr ((const char *) r.body->data, "\"stored\":2"));
  }
  g_free (sync_test_run_ok (sync_test_server_program (), "export", "--db", f->db, "--csv", csv_dir, NULL));
  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, &error));
  g_test_message ("%s", csv);
  g_assert_nonnull (strstr (csv, ",\"'=HYPERLINK(\"\"http://x\"\")\","));
  g_assert_nonnull (strstr (csv, ",\"'@SUM(A1)\","));
  g_assert_nonnull (strstr (csv, ",\"'-female\"\n"));
  g_assert_nonnull (strstr (csv, ",-3,"));            /* a JSON number stays a number */
  g_assert_nonnull (strstr (csv, ",\"'\tx\""));
  g_assert_null (strstr (csv, ",=HYPERLINK"));
  g_assert_null (strstr (csv, ",@SUM"));

  /* The device's export: households received from the server, in the
   * community the device's demo made (a household of a community the
   * device does not know cannot be applied there). */
  {
    g_autofree char *device = make_device (f, "device");
    g_autofree char *code = NULL;
    g_autofree char *device_csv = g_build_filename (f->dir, "device-csv", NULL);
    g_autofree char *households = g_build_filename (device_csv, "households.csv", NULL);
    g_autofree char *text = NULL;
    g_autofree char *community = NULL;
    g_autofree char *d1 = NULL, *d2 = NULL, *ids1 = g_uuid_string_random (), *ids2 = g_uuid_string_random ();
    g_autofree char *device_batch = NULL;
    g_auto(Device) all = { 0 };
    g_auto(Reply) r = { 0 };

    {
      g_autoptr(ClmrsStore) store = clmrs_store_open (device, &error);
      ClmrsDemoOptions options = { .households = 1, .seed = 4, .until = "2026-06-30", .communities = 1 };
      ClmrsDemoReport report;
      sqlite3_stmt *stmt;

      g_assert_no_error (error);
      g_assert_true (clmrs_demo_generate (store, &options, &report, &error));
      stmt = clmrs_store_prepare (store, "SELECT id FROM communities", &error);
      g_assert_no_error (error);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      community = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      sqlite3_finalize (stmt);
    }
    enrol (f, "all", &all);
    code = make_code (f, community);
    d1 = household (ids1, community, "=HYPERLINK(\\\"http://x\\\")");
    d2 = household (ids2, community, "@SUM(A1)");
    device_batch = g_strdup_printf ("%s\n%s\n", d1, d2);
    push (f, &all, device_batch, NULL, &r);
    g_assert_cmpint (r.status, ==, 200);

    g_free (sync_test_run_ok (sync_test_cli (), "--db", device, "enroll", "--server", f->base, "--code", code,
                              NULL));
    g_free (sync_test_run_ok (sync_test_cli (), "--db", device, "sync", NULL));
    g_free (sync_test_run_ok (sync_test_cli (), "--db", device, "export", "--csv", device_csv, NULL));
    g_assert_true (g_file_get_contents (households, &text, NULL, &error));
    g_test_message ("%s", text);
    g_assert_nonnull (strstr (text, ",\"'=HYPERLINK(\"\"http://x\"\")\","));
    g_assert_nonnull (strstr (text, ",\"'@SUM(A1)\","));
    g_assert_null (strstr (text, ",=HYPERLINK"));
    /* an integer column (rev) stays a bare number */
    g_assert_true (g_regex_match_simple (",1,[0-9a-f-]{36},", text, 0, 0));
  }
}

/* ---- 8. Neutral reasons ------------------------------------------------------------- */

static void
test_neutral_reasons (Fixture       *f,
                      gconstpointer  data)
{
  g_auto(Device) mine = { 0 };
  g_auto(Device) other = { 0 };
  g_autofree char *theirs_id = g_uuid_string_random ();
  g_autofree char *mine_id = g_uuid_string_random ();
  g_autofree char *child_id = g_uuid_string_random ();
  g_autofree char *theirs = household (theirs_id, C2, "Yaw");
  g_autofree char *own = household (mine_id, C1, "Esi");
  g_autofree char *same_id_here = household (theirs_id, C1, "Kwame");
  g_autofree char *as_child = NULL;
  g_autofree char *child_of_theirs = NULL;
  g_autofree char *batch = NULL;
  g_autofree char *text = NULL;
  g_auto(Reply) r = { 0 };

  server_start (f, NULL);
  enrol (f, C1, &mine);
  enrol (f, C2, &other);
  {
    g_auto(Reply) r0 = { 0 };

    g_auto(Reply) r1 = { 0 };

    push (f, &other, theirs, NULL, &r0);
    g_assert_cmpint (r0.status, ==, 200);
    push (f, &mine, own, NULL, &r1);
    g_assert_cmpint (r1.status, ==, 200);
  }
  {
    g_autofree char *b1 = g_strdup_printf ("{\"household_id\":\"%s\",\"name\":\"Esi\"}", mine_id);
    g_autofree char *b2 = g_strdup_printf ("{\"household_id\":\"%s\",\"name\":\"Esi\"}", theirs_id);

    as_child = envelope ("child", mine_id, C1, b1);           /* an id of another type */
    child_of_theirs = envelope ("child", child_id, C1, b2);   /* points into another community */
  }
  batch = g_strdup_printf ("%s\n%s\n%s\n", same_id_here, as_child, child_of_theirs);
  push (f, &mine, batch, NULL, &r);
  g_assert_cmpint (r.status, ==, 200);
  text = body_text (&r);
  g_test_message ("%s", text);
  {
    g_autoptr(GPtrArray) results = clmrs_push_response_parse (text, strlen (text), NULL, NULL);

    g_assert_nonnull (results);
    g_assert_cmpuint (results->len, ==, 3);
    g_autofree char *id_reason = g_strdup_printf ("id: %s cannot be used for this record", theirs_id);
    g_autofree char *mine_reason = g_strdup_printf ("id: %s cannot be used for this record", mine_id);
    g_autofree char *ref_reason = g_strdup_printf ("body.household_id: no household %s in this community "
                                                   "(send it first)", theirs_id);

    /* the same words whether the id is of another type here or taken in
       another community, and for a reference into another community as
       for one to nothing at all */
    g_assert_cmpstr (((ClmrsPushResult *) results->pdata[0])->reason, ==, id_reason);
    g_assert_cmpstr (((ClmrsPushResult *) results->pdata[1])->reason, ==, mine_reason);
    g_assert_cmpstr (((ClmrsPushResult *) results->pdata[2])->reason, ==, ref_reason);
  }
  /* Nothing about what is stored where: no type, no community. */
  g_assert_null (strstr (text, C2));
  g_assert_null (strstr (text, "stored as"));
  g_assert_null (strstr (text, "another community"));
}

/* ---- 9. Schema migration, devices, re-enrolment ------------------------------------ */

static void
test_schema_v1_upgrade (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *fixture = g_build_filename (g_getenv ("CLMRS_SOURCE_DIR"), "tests", "schema", "server-v1.sql", NULL);
  g_autofree char *sql = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) keep = NULL;
  JsonArray *devices;
  JsonObject *device;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  if (sync_test_server_on_postgres ())
    {
      g_test_skip ("the fixture is a SQLite database of schema version 1");
      return;
    }

  g_assert_true (g_file_get_contents (fixture, &sql, NULL, &error));
  /* a version-1 database, not the one the fixture made with its author */
  for (const char *const *suffix = (const char *[]) { "", "-wal", "-shm", NULL }; *suffix != NULL; suffix++)
    {
      g_autofree char *path = g_strconcat (f->db, *suffix, NULL);
      g_unlink (path);
    }
  g_assert_cmpint (sqlite3_open (f->db, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  /* Any command upgrades it: the devices of version 1 are listed with the new columns empty. */
  devices = devices_json (f, &keep);
  g_assert_cmpuint (json_array_get_length (devices), ==, 2);
  device = device_entry (devices, "380cc310-15e3-4325-9422-cfeaea6e4d30");
  g_assert_cmpstr (json_object_get_string_member (device, "name"), ==, "Tablet 7, Assin Fosu");
  g_assert_true (json_node_is_null (json_object_get_member (device, "last_contact")));
  g_assert_true (json_node_is_null (json_object_get_member (device, "queue_size")));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (device, "communities")), ==, 1);
  device = device_entry (devices, "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d");
  g_assert_nonnull (json_object_get_string_member (device, "revoked"));
  g_assert_true (json_object_get_boolean_member (device, "all_communities"));

  g_assert_cmpint (sqlite3_open (f->db, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 6);
  sqlite3_finalize (stmt);
  /* Version 6: no device has asked for its unlock secret yet. */
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM device_unlock", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 0);
  sqlite3_finalize (stmt);
  /* Version 5 holds no media file yet. */
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT (SELECT count(*) FROM media) + (SELECT count(*) FROM media_chunks)",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 0);
  sqlite3_finalize (stmt);
  /* Version 4 knows nobody yet. */
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM people", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 0);
  sqlite3_finalize (stmt);
  /* What version 1 held is all there. */
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM records", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 1);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  /* And the server serves it: the old device's token still works. */
  server_start (f, NULL);
  {
    const char *headers[] = { "Authorization: Bearer jFVsxygIYL39lF1wdricXxpAsF2Lwbkb49EFIZpAqik",
                              "X-Clmrs-Queue: 7", NULL };
    g_auto(Reply) r = { 0 };
    g_autoptr(JsonNode) again = NULL;

    http (f, NULL, "GET", "/api/v1/pull", headers, NULL, &r);
    g_assert_cmpint (r.status, ==, 200);
    device = device_entry (devices_json (f, &again), "380cc310-15e3-4325-9422-cfeaea6e4d30");
    g_assert_cmpint (json_object_get_int_member (device, "queue_size"), ==, 7);
  }
}

static void
test_devices_and_reenrol (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *device = make_device (f, "device");
  g_autofree char *code = NULL;
  g_autofree char *old_token = NULL;
  g_autofree char *old_id = NULL;
  g_autofree char *table = NULL;
  g_autoptr(JsonNode) keep = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *entry;
  gint64 queued;

  server_start (f, NULL);
  /* A device with queued records enrols and syncs through the real client. */
  {
    g_autoptr(ClmrsStore) store = clmrs_store_open (device, &error);
    ClmrsDemoOptions options = { .households = 2, .seed = 3, .until = "2026-06-30", .communities = 1 };
    ClmrsDemoReport report;

    g_assert_no_error (error);
    g_assert_true (clmrs_demo_generate (store, &options, &report, &error));
    g_assert_no_error (error);
    queued = test_outbox_queued (store);
    g_assert_cmpint (queued, >, 0);
  }
  code = make_code (f, "all");
  g_free (sync_test_run_ok (sync_test_cli (), "--db", device, "enroll", "--server", f->base, "--code", code,
                            NULL));
  {
    g_autoptr(ClmrsStore) store = clmrs_store_open (device, &error);

    g_assert_no_error (error);
    g_assert_true (clmrs_store_get_meta (store, "sync_token", &old_token, &error));
    g_assert_true (clmrs_store_get_meta (store, "server_device_id", &old_id, &error));
  }
  entry = device_entry (devices_json (f, &keep), old_id);
  g_assert_true (json_node_is_null (json_object_get_member (entry, "last_contact")));
  g_assert_true (json_node_is_null (json_object_get_member (entry, "revoked")));
  g_clear_pointer (&keep, json_node_unref);

  g_free (sync_test_run_ok (sync_test_cli (), "--db", device, "sync", NULL));
  entry = device_entry (devices_json (f, &keep), old_id);
  g_assert_true (g_regex_match_simple ("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$",
                                       json_object_get_string_member (entry, "last_contact"), 0, 0));
  g_assert_cmpstr (json_object_get_string_member (entry, "last_address"), ==, "127.0.0.1");
  /* the last request, the pull, came after the queue was sent */
  g_assert_cmpint (json_object_get_int_member (entry, "queue_size"), ==, 0);
  g_assert_true (json_object_get_boolean_member (entry, "all_communities"));
  g_clear_pointer (&keep, json_node_unref);

  /* The table for people names the same. */
  table = sync_test_run_ok (sync_test_server_program (), "devices", "--db", f->db, NULL);
  g_assert_true (g_str_has_prefix (table, "device "));
  g_assert_nonnull (strstr (table, old_id));
  g_assert_nonnull (strstr (table, "127.0.0.1"));

  /* Enrolling again revokes the token it held. */
  g_clear_pointer (&code, g_free);
  code = make_code (f, C1);
  g_free (sync_test_run_ok (sync_test_cli (), "--db", device, "enroll", "--server", f->base, "--code", code,
                            NULL));
  {
    g_autoptr(ClmrsStore) store = clmrs_store_open (device, &error);
    g_autofree char *new_id = NULL;
    g_autofree char *auth = g_strconcat ("Authorization: Bearer ", old_token, NULL);
    const char *headers[] = { auth, NULL };
    g_auto(Reply) r = { 0 };
    JsonArray *devices;

    g_assert_no_error (error);
    g_assert_true (clmrs_store_get_meta (store, "server_device_id", &new_id, &error));
    g_assert_cmpstr (new_id, !=, old_id);
    devices = devices_json (f, &keep);
    g_assert_cmpuint (json_array_get_length (devices), ==, 2);
    entry = device_entry (devices, old_id);
    g_assert_nonnull (json_object_get_string_member (entry, "revoked"));
    entry = device_entry (devices, new_id);
    g_assert_true (json_node_is_null (json_object_get_member (entry, "revoked")));
    http (f, NULL, "GET", "/api/v1/pull", headers, NULL, &r);
    assert_error (&r, 403, "device_revoked", "this device was revoked");
  }
  g_free (sync_test_run_ok (sync_test_cli (), "--db", device, "sync", NULL));

  /* A bad queue header is named. */
  {
    g_autoptr(ClmrsStore) store = clmrs_store_open (device, &error);
    g_autofree char *token = NULL;
    g_autofree char *auth = NULL;
    const char *headers[] = { NULL, "X-Clmrs-Queue: lots", NULL };
    g_auto(Reply) r = { 0 };

    g_assert_true (clmrs_store_get_meta (store, "sync_token", &token, &error));
    auth = g_strconcat ("Authorization: Bearer ", token, NULL);
    headers[0] = auth;
    http (f, NULL, "GET", "/api/v1/pull", headers, NULL, &r);
    assert_error (&r, 400, "bad_request", "X-Clmrs-Queue: expected the number of records queued on the device");
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  curl_global_init (CURL_GLOBAL_DEFAULT);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/door/plain-http-refused", test_plain_http_refused);
  ADD ("/door/cacert-copied", test_cacert_copied);
  ADD ("/door/slow-loris", test_slow_loris);
  ADD ("/door/inflight-budget", test_inflight_budget);
  ADD ("/door/length-headers", test_length_headers);
  ADD ("/door/token-guessing", test_token_guessing);
  ADD ("/door/health-head", test_health_head);
  ADD ("/door/disk-full", test_disk_full);
  ADD ("/door/csv-injection", test_csv_injection);
  ADD ("/door/neutral-reasons", test_neutral_reasons);
  ADD ("/door/schema-v1-upgrade", test_schema_v1_upgrade);
  ADD ("/door/devices-and-reenrol", test_devices_and_reenrol);
#undef ADD

  return g_test_run ();
}
