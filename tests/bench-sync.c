/* bench-sync.c: CLMRS sync against an ODK-style OpenRosa upload, on the same emulated village link. */
#include "client.h"
#include "demo.h"
#include "store.h"
#include "syncstore.h"
#include "util.h"
#include "xform.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/*
 * Usage:
 *   ninja -C build && build/tests/bench-sync                 # ~1,000 visits, 256 kbit/s, 600 ms RTT
 *   build/tests/bench-sync --visits 1000 --kbit 256 --rtt-ms 600 [--households N] [--keep]
 *   build/tests/bench-sync --quick                           # a few visits on a fast link (the smoke test)
 *   build/tests/bench-sync --no-baseline                     # CLMRS only: ~30 s instead of ~23 min
 *
 * In one run:
 *  1. a demo device database (clmrs_demo_generate) with about --visits
 *     finalised visits (household visits, follow-ups, supports, awareness
 *     sessions, community profiles), every record queued for sync;
 *  2. an in-process TCP proxy emulating the village link: --kbit in each
 *     direction, --rtt-ms round trip (half of it one way); a segment read
 *     from one side waits for the link to be free, takes its serialisation
 *     time (bytes * 8 / bandwidth), then the one-way latency before it is
 *     written to the other side; a new connection pays the TCP handshake
 *     (one round trip) before its first byte leaves.  The proxy counts every
 *     byte crossing it (TCP payload: HTTP request and status lines, headers,
 *     bodies; not TCP/IP headers);
 *  3. CLMRS: enrol, then clmrs_sync_run (push every queued record, pull
 *     until done) through the proxy to a real clmrs-server on loopback;
 *  4. the ODK Collect baseline through the same proxy: per visit a HEAD then
 *     a multipart/form-data POST whose part xml_submission_file is the
 *     visit's XForms instance XML (the form engine re-creates it from the
 *     visit's stored answers, serialised compactly as Collect writes its
 *     instance files), uncompressed, with OpenRosa headers, over one
 *     keep-alive connection, one request after the other, to a minimal
 *     OpenRosa sink in this process (HEAD: 204; POST: 201 and an
 *     OpenRosaResponse, like ODK Central);
 *  5. the table of both and the ratios baseline / CLMRS;
 *  6. the server's ingest rate on loopback (no proxy): a fresh copy of the
 *     device pushing everything in large batches (median of three rounds).
 *
 * The clmrs-server used is $CLMRS_SERVER, else the one of this build.
 * Exit status 0 only when every record and every submission was accepted.
 */

#define MSS 1448                   /* TCP payload per segment on an Ethernet-sized path */

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
now_s (void)
{
  return g_get_monotonic_time () / 1e6;
}

static void
die (const char *what, GError *error)
{
  fprintf (stderr, "bench-sync: %s: %s\n", what, error ? error->message : "failed");
  exit (1);
}

static gint64
scalar (ClmrsStore *store, const char *sql)
{
  sqlite3_stmt *stmt = clmrs_store_prepare (store, sql, NULL);
  gint64 n = -1;

  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

/* ------------------------------------------------------------------ */
/* The emulated link                                                   */

/* One direction of the link, shared by every connection. */
typedef struct {
  GMutex  lock;
  gint64  free_at;                 /* µs, monotonic: when the link has sent everything queued */
  guint64 bytes;
} Link;

typedef struct {
  int      listen_fd;
  int      port;
  int      target_port;
  double   us_per_byte;
  gint64   latency_us;             /* one way */
  Link     up;                     /* client -> server */
  Link     down;                   /* server -> client */
  GThread *acceptor;
  gint     live;                   /* connections not yet closed */
  gint     accepted;
} Proxy;

typedef struct {
  gint64 due;
  gsize  len;                      /* 0: end of stream */
  guint8 data[];
} Segment;

typedef struct _Conn Conn;

typedef struct {
  Conn        *conn;
  Link        *link;
  int          from;
  int          to;
  gint64       not_before;         /* no byte leaves before the handshake completed */
  GAsyncQueue *queue;
} Pipe;

struct _Conn {
  Proxy *proxy;
  int    client_fd;
  int    server_fd;
  Pipe   up;
  Pipe   down;
  gint   threads;
};

static void
conn_unref (Conn *c)
{
  if (!g_atomic_int_dec_and_test (&c->threads))
    return;
  close (c->client_fd);
  close (c->server_fd);
  g_async_queue_unref (c->up.queue);
  g_async_queue_unref (c->down.queue);
  g_atomic_int_add (&c->proxy->live, -1);
  g_free (c);
}

/* Reads what arrives and schedules each segment on the link: it starts
 * when the link is free, takes its serialisation time, then the latency. */
static gpointer
pipe_reader (gpointer data)
{
  Pipe *p = data;
  Proxy *proxy = p->conn->proxy;
  guint8 buffer[64 * 1024];
  gint64 last_due = 0;

  for (;;)
    {
      ssize_t n = read (p->from, buffer, sizeof buffer);
      gint64 arrived = g_get_monotonic_time ();

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          Segment *end = g_malloc0 (sizeof (Segment));
          end->due = MAX (last_due, arrived + proxy->latency_us);
          g_async_queue_push (p->queue, end);
          break;
        }
      for (ssize_t off = 0; off < n; off += MSS)
        {
          gsize len = MIN (MSS, (gsize) (n - off));
          Segment *s = g_malloc (sizeof (Segment) + len);
          gint64 start;

          memcpy (s->data, buffer + off, len);
          s->len = len;
          g_mutex_lock (&p->link->lock);
          start = MAX (MAX (arrived, p->not_before), p->link->free_at);
          p->link->free_at = start + (gint64) (len * proxy->us_per_byte + 0.5);
          p->link->bytes += len;
          s->due = p->link->free_at + proxy->latency_us;
          g_mutex_unlock (&p->link->lock);
          last_due = s->due;
          g_async_queue_push (p->queue, s);
        }
    }
  conn_unref (p->conn);
  return NULL;
}

/* Delivers each segment at its due time. */
static gpointer
pipe_writer (gpointer data)
{
  Pipe *p = data;
  gboolean broken = FALSE;

  for (;;)
    {
      Segment *s = g_async_queue_pop (p->queue);
      gint64 wait = s->due - g_get_monotonic_time ();
      gsize done = 0;

      if (wait > 0)
        g_usleep (wait);
      if (s->len == 0)
        {
          shutdown (p->to, SHUT_WR);
          g_free (s);
          break;
        }
      while (!broken && done < s->len)
        {
          ssize_t n = write (p->to, s->data + done, s->len - done);
          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            {
              broken = TRUE;          /* keep draining until the reader's end */
              shutdown (p->from, SHUT_RD);
            }
          else
            done += n;
        }
      g_free (s);
    }
  conn_unref (p->conn);
  return NULL;
}

static int
connect_loopback (int port)
{
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons (port) };
  int fd = socket (AF_INET, SOCK_STREAM, 0), one = 1;

  a.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (fd < 0 || connect (fd, (struct sockaddr *) &a, sizeof a) != 0)
    {
      if (fd >= 0)
        close (fd);
      return -1;
    }
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

static gpointer
proxy_acceptor (gpointer data)
{
  Proxy *proxy = data;

  for (;;)
    {
      int fd = accept (proxy->listen_fd, NULL, NULL), one = 1;
      Conn *c;

      if (fd < 0)
        {
          if (errno == EINTR || errno == ECONNABORTED)
            continue;
          return NULL;   /* the listening socket was shut down */
        }
      setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      c = g_new0 (Conn, 1);
      c->proxy = proxy;
      c->client_fd = fd;
      c->server_fd = connect_loopback (proxy->target_port);
      if (c->server_fd < 0)
        {
          close (fd);
          g_free (c);
          continue;
        }
      c->threads = 4;
      g_atomic_int_inc (&proxy->live);
      g_atomic_int_inc (&proxy->accepted);
      /* SYN out, SYN-ACK back: the client's first byte leaves one round trip after connect() */
      c->up = (Pipe) { c, &proxy->up, c->client_fd, c->server_fd,
                       g_get_monotonic_time () + 2 * proxy->latency_us, g_async_queue_new () };
      c->down = (Pipe) { c, &proxy->down, c->server_fd, c->client_fd, 0, g_async_queue_new () };
      g_thread_unref (g_thread_new ("up-reader", pipe_reader, &c->up));
      g_thread_unref (g_thread_new ("up-writer", pipe_writer, &c->up));
      g_thread_unref (g_thread_new ("down-reader", pipe_reader, &c->down));
      g_thread_unref (g_thread_new ("down-writer", pipe_writer, &c->down));
    }
}

static Proxy *
proxy_start (int target_port, double kbit, double rtt_ms)
{
  Proxy *proxy = g_new0 (Proxy, 1);
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0 };
  socklen_t len = sizeof a;

  a.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  proxy->target_port = target_port;
  proxy->us_per_byte = 8.0 * 1e6 / (kbit * 1000.0);
  proxy->latency_us = (gint64) (rtt_ms * 1000 / 2);
  g_mutex_init (&proxy->up.lock);
  g_mutex_init (&proxy->down.lock);
  proxy->listen_fd = socket (AF_INET, SOCK_STREAM, 0);
  if (proxy->listen_fd < 0 || bind (proxy->listen_fd, (struct sockaddr *) &a, sizeof a) != 0 ||
      listen (proxy->listen_fd, 16) != 0 || getsockname (proxy->listen_fd, (struct sockaddr *) &a, &len) != 0)
    die ("proxy: cannot listen on loopback", NULL);
  proxy->port = ntohs (a.sin_port);
  proxy->acceptor = g_thread_new ("proxy", proxy_acceptor, proxy);
  return proxy;
}

static void
proxy_counts (Proxy *proxy, guint64 *up, guint64 *down)
{
  g_mutex_lock (&proxy->up.lock);
  *up = proxy->up.bytes;
  g_mutex_unlock (&proxy->up.lock);
  g_mutex_lock (&proxy->down.lock);
  *down = proxy->down.bytes;
  g_mutex_unlock (&proxy->down.lock);
}

/* Waits (a little) for the clients' connections to close, then stops. */
static void
proxy_stop (Proxy *proxy)
{
  for (int i = 0; i < 100 && g_atomic_int_get (&proxy->live) > 0; i++)
    g_usleep (20000);
  shutdown (proxy->listen_fd, SHUT_RDWR);
  g_thread_join (proxy->acceptor);
  close (proxy->listen_fd);
  /* a connection still open would use it after the free: left then */
  if (g_atomic_int_get (&proxy->live) == 0)
    {
      g_mutex_clear (&proxy->up.lock);
      g_mutex_clear (&proxy->down.lock);
      g_free (proxy);
    }
}

/* ------------------------------------------------------------------ */
/* clmrs-server                                                        */

typedef struct {
  GSubprocess *process;
  char        *url;
  int          port;
} Server;

static char *
run_server_command (const char *server, GError **error, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) p = NULL;
  char *out = NULL;
  va_list args;

  g_ptr_array_add (argv, (gpointer) server);
  va_start (args, error);
  for (const char *a = va_arg (args, const char *); a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) a);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  p = g_subprocess_newv ((const char * const *) argv->pdata, G_SUBPROCESS_FLAGS_STDOUT_PIPE, error);
  if (p == NULL || !g_subprocess_communicate_utf8 (p, NULL, NULL, &out, NULL, error))
    return NULL;
  if (!g_subprocess_get_successful (p))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s %s failed", server, (char *) argv->pdata[1]);
      g_free (out);
      return NULL;
    }
  return out;
}

/* A one-time enrolment code for every community. */
static char *
enrol_code (const char *server, const char *db)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = run_server_command (server, &error, "enroll-code", "--db", db, "--communities", "all", NULL);
  g_auto(GStrv) lines = NULL;

  if (out == NULL)
    die ("clmrs-server enroll-code", error);
  lines = g_strsplit (g_strstrip (out), "\n", -1);
  return g_strdup (lines[g_strv_length (lines) - 1]);
}

static void
server_start (Server *s, const char *server, const char *db, const char *log)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) in = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  const char *prefix = "clmrs-server: listening on ";
  const char *colon;

  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  s->process = g_subprocess_launcher_spawn (launcher, &error, server, "serve", "--db", db,
                                            "--listen", "127.0.0.1:0", NULL);
  if (s->process == NULL)
    die ("starting clmrs-server", error);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (s->process));
  line = g_data_input_stream_read_line (in, NULL, NULL, &error);
  if (line == NULL || !g_str_has_prefix (line, prefix))
    die ("clmrs-server did not say where it listens", error);
  s->url = g_strdup (line + strlen (prefix));
  colon = strrchr (s->url, ':');
  s->port = colon ? atoi (colon + 1) : 0;
}

static void
server_stop (Server *s)
{
  g_subprocess_send_signal (s->process, SIGTERM);
  g_subprocess_wait (s->process, NULL, NULL);
  g_clear_object (&s->process);
  g_clear_pointer (&s->url, g_free);
}

/* Sums the server's own time (ms=) and the request count over the push
 * lines of its log. */
static void
server_push_time (const char *log, double *ms, guint *pushes)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  *ms = 0;
  *pushes = 0;
  if (!g_file_get_contents (log, &text, NULL, NULL))
    return;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *m = strstr (lines[i], " ms=");
      if (strstr (lines[i], "POST /api/v1/push 200") != NULL && m != NULL)
        {
          *ms += g_ascii_strtod (m + 4, NULL);
          (*pushes)++;
        }
    }
}

/* ------------------------------------------------------------------ */
/* The ODK side: instance XML, OpenRosa sink, Collect-shaped uploader  */

typedef struct {
  char *form_id;
  char *file_name;                 /* as Collect names instance files: <form>_<date>_<time>.xml */
  char *xml;
} Instance;

static void
instance_free (Instance *i)
{
  g_free (i->form_id);
  g_free (i->file_name);
  g_free (i->xml);
  g_free (i);
}

/* Compact XML (no indentation), as Collect writes an instance file. */
static char *
compact_xml (const char *xml)
{
  xmlDoc *doc = xmlReadMemory (xml, strlen (xml), "instance.xml", "UTF-8", XML_PARSE_NOBLANKS | XML_PARSE_NONET);
  xmlChar *buffer = NULL;
  int size = 0;
  char *text;

  if (doc == NULL)
    return NULL;
  xmlDocDumpFormatMemoryEnc (doc, &buffer, &size, "UTF-8", 0);
  text = g_strndup ((const char *) buffer, size);
  xmlFree (buffer);
  xmlFreeDoc (doc);
  return text;
}

/* Every finalised visit's instance XML: its form filled again with the
 * answers stored at finalisation (clmrs_form_session_load_json), then
 * serialised by the form engine, as the submission of that visit. */
static GPtrArray *
visit_instances (ClmrsStore *store, gsize *xml_bytes)
{
  g_autoptr(GHashTable) forms = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) clmrs_form_unref);
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) instance_free);
  sqlite3_stmt *stmt = clmrs_store_prepare (store,
      "SELECT id, form_id, answers, finalised FROM visits WHERE state = 'final' ORDER BY finalised, id", NULL);

  *xml_bytes = 0;
  while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *form_id = (const char *) sqlite3_column_text (stmt, 1);
      const char *answers = (const char *) sqlite3_column_text (stmt, 2);
      const char *finalised = (const char *) sqlite3_column_text (stmt, 3);
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(ClmrsFormSession) session = NULL;
      g_autofree char *xml = NULL;
      g_autofree char *stamp = g_strdup (finalised ? finalised : "2026-01-01T00:00:00Z");
      ClmrsForm *form = g_hash_table_lookup (forms, form_id);
      Instance *i;

      if (form == NULL)
        {
          if ((form = clmrs_form_load_builtin (form_id, &error)) == NULL)
            die ("loading a visit's form", error);
          g_hash_table_insert (forms, g_strdup (form_id), form);
        }
      node = json_from_string (answers, &error);
      session = clmrs_form_session_new (form, &error);
      if (node == NULL || session == NULL || !clmrs_form_session_load_json (session, node, &error))
        die ("re-creating a visit's instance", error);
      xml = clmrs_form_session_to_xml (session);
      i = g_new0 (Instance, 1);
      i->form_id = g_strdup (form_id);
      i->xml = compact_xml (xml);
      if (i->xml == NULL)
        die ("an instance is not well-formed XML", NULL);
      g_strdelimit (stamp, ":T", '-');
      stamp[MIN (strlen (stamp), 19)] = '\0';   /* 2025-05-13-13-25-43 */
      stamp[10] = '_';
      i->file_name = g_strdup_printf ("%s_%s.xml", form_id, stamp);
      *xml_bytes += strlen (i->xml);
      g_ptr_array_add (out, i);
    }
  sqlite3_finalize (stmt);
  return out;
}

typedef struct {
  struct MHD_Daemon *daemon;
  int                port;
  gint               heads;
  gint               submissions;   /* POSTs whose xml_submission_file part is an instance */
  gint               refused;
} Sink;

typedef struct {
  GString *body;
} SinkRequest;

static void
sink_completed (void *cls, struct MHD_Connection *connection, void **con_cls, enum MHD_RequestTerminationCode toe)
{
  SinkRequest *r = *con_cls;

  if (r != NULL)
    {
      g_string_free (r->body, TRUE);
      g_free (r);
      *con_cls = NULL;
    }
}

static enum MHD_Result
sink_queue (struct MHD_Connection *connection, unsigned int status, const char *body, const char *type)
{
  struct MHD_Response *response = MHD_create_response_from_buffer (strlen (body), (void *) body,
                                                                    MHD_RESPMEM_MUST_COPY);
  enum MHD_Result ret;

  MHD_add_response_header (response, "X-OpenRosa-Version", "1.0");
  if (type != NULL)
    MHD_add_response_header (response, "Content-Type", type);
  if (status == MHD_HTTP_NO_CONTENT)
    MHD_add_response_header (response, "X-OpenRosa-Accept-Content-Length", "104857600");
  ret = MHD_queue_response (connection, status, response);
  MHD_destroy_response (response);
  return ret;
}

/* The submission endpoint of an OpenRosa server, reduced to its answers:
 * HEAD 204 with the OpenRosa headers; POST 201 with an OpenRosaResponse
 * when the body is a multipart form holding xml_submission_file. */
static enum MHD_Result
sink_access (void *cls, struct MHD_Connection *connection, const char *url, const char *method,
             const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
  Sink *sink = cls;
  SinkRequest *r = *con_cls;

  /* answering on the first call, before MHD has looked for a body, makes
   * it close the connection after the answer: answer on the second */
  if (r == NULL)
    {
      r = g_new0 (SinkRequest, 1);
      r->body = g_string_new (NULL);
      *con_cls = r;
      return MHD_YES;
    }
  if (!g_str_equal (url, "/submission"))
    return sink_queue (connection, MHD_HTTP_NOT_FOUND, "", NULL);
  if (g_str_equal (method, "HEAD"))
    {
      g_atomic_int_inc (&sink->heads);
      return sink_queue (connection, MHD_HTTP_NO_CONTENT, "", NULL);
    }
  if (!g_str_equal (method, "POST"))
    return sink_queue (connection, MHD_HTTP_METHOD_NOT_ALLOWED, "", NULL);
  if (*upload_data_size > 0)
    {
      g_string_append_len (r->body, upload_data, *upload_data_size);
      *upload_data_size = 0;
      return MHD_YES;
    }
  {
    const char *type = MHD_lookup_connection_value (connection, MHD_HEADER_KIND, "Content-Type");

    if (type == NULL || !g_str_has_prefix (type, "multipart/form-data; boundary=") ||
        strstr (r->body->str, "name=\"xml_submission_file\"") == NULL ||
        strstr (r->body->str, "<instanceID>uuid:") == NULL)
      {
        g_atomic_int_inc (&sink->refused);
        return sink_queue (connection, MHD_HTTP_BAD_REQUEST,
                           "<OpenRosaResponse xmlns=\"http://openrosa.org/http/response\" items=\"0\">"
                           "<message nature=\"error\">no xml_submission_file</message></OpenRosaResponse>",
                           "text/xml; charset=utf-8");
      }
    g_atomic_int_inc (&sink->submissions);
    /* ODK Central's answer to a new submission */
    return sink_queue (connection, MHD_HTTP_CREATED,
                       "<OpenRosaResponse xmlns=\"http://openrosa.org/http/response\" items=\"0\">\n"
                       "    <message nature=\"\">full submission upload was successful!</message>\n"
                       "  </OpenRosaResponse>",
                       "text/xml; charset=utf-8");
  }
}

static void
sink_start (Sink *sink)
{
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0 };
  const union MHD_DaemonInfo *info;

  a.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  sink->daemon = MHD_start_daemon (MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0,
                                   NULL, NULL, sink_access, sink,
                                   MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &a,
                                   MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) 120,
                                   MHD_OPTION_NOTIFY_COMPLETED, sink_completed, NULL,
                                   MHD_OPTION_END);
  if (sink->daemon == NULL || (info = MHD_get_daemon_info (sink->daemon, MHD_DAEMON_INFO_BIND_PORT)) == NULL)
    die ("starting the OpenRosa sink", NULL);
  sink->port = info->port;
}

typedef struct {
  guint   requests;
  guint   failures;
  guint64 curl_up;
  guint64 curl_down;
} UploadReport;

static size_t
discard (char *data, size_t size, size_t n, void *user_data)
{
  return size * n;
}

/* One request of Collect's uploader (OkHttp): its headers, with the
 * credentials sent pre-emptively as Collect does once authenticated. */
static long
collect_request (CURL *curl, const char *url, const Instance *instance, UploadReport *report)
{
  static const char *user_agent =
      "org.odk.collect.android/v2024.2.4 okhttp/4.12.0 Dalvik/2.1.0 (Linux; U; Android 11; SM-T225 Build/RP1A.200720.012)";
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *date = g_date_time_format (now, "Date: %a, %d %b %Y %H:%M:%S GMT");
  struct curl_slist *headers = NULL;
  curl_mime *mime = NULL;
  long status = 0, request_size = 0, header_size = 0;
  curl_off_t up = 0, down = 0;
  CURLcode code;

  curl_easy_reset (curl);   /* keeps the connection */
  curl_easy_setopt (curl, CURLOPT_URL, url);
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (curl, CURLOPT_USERAGENT, user_agent);
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, discard);
  curl_easy_setopt (curl, CURLOPT_ACCEPT_ENCODING, "gzip");
  curl_easy_setopt (curl, CURLOPT_HTTPAUTH, (long) CURLAUTH_BASIC);
  /* an app user of a project: a 16-character user name and a 24-character password */
  curl_easy_setopt (curl, CURLOPT_USERPWD, "assin-fosu-fac07:Wq7pZ3kLm9xT2vNc8RbY4hJd");
  headers = curl_slist_append (headers, "X-OpenRosa-Version: 1.0");
  headers = curl_slist_append (headers, date);
  headers = curl_slist_append (headers, "Connection: Keep-Alive");
  headers = curl_slist_append (headers, "Accept:");   /* OkHttp sends none */
  headers = curl_slist_append (headers, "Expect:");   /* nor 100-continue */
  curl_easy_setopt (curl, CURLOPT_HTTPHEADER, headers);
  if (instance == NULL)
    curl_easy_setopt (curl, CURLOPT_NOBODY, 1L);      /* HEAD */
  else
    {
      curl_mimepart *part;

      mime = curl_mime_init (curl);
      part = curl_mime_addpart (mime);
      curl_mime_name (part, "xml_submission_file");
      curl_mime_filename (part, instance->file_name);
      curl_mime_type (part, "text/xml");
      curl_mime_data (part, instance->xml, CURL_ZERO_TERMINATED);
      curl_easy_setopt (curl, CURLOPT_MIMEPOST, mime);
    }
  code = curl_easy_perform (curl);
  curl_slist_free_all (headers);
  curl_mime_free (mime);
  report->requests++;
  curl_easy_getinfo (curl, CURLINFO_REQUEST_SIZE, &request_size);
  curl_easy_getinfo (curl, CURLINFO_SIZE_UPLOAD_T, &up);
  curl_easy_getinfo (curl, CURLINFO_HEADER_SIZE, &header_size);
  curl_easy_getinfo (curl, CURLINFO_SIZE_DOWNLOAD_T, &down);
  report->curl_up += request_size + up;
  report->curl_down += header_size + down;
  if (code != CURLE_OK)
    {
      fprintf (stderr, "bench-sync: baseline request: %s\n", curl_easy_strerror (code));
      return 0;
    }
  curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &status);
  return status;
}

/* Collect's upload of finalised forms: per instance, a HEAD to the
 * submission URL (answered 204 without a Location, so Collect asks again
 * for the next one), then the multipart POST; success only on 201/202. */
static void
collect_upload (int port, GPtrArray *instances, UploadReport *report)
{
  CURL *curl = curl_easy_init ();
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%d/submission?deviceID=collect%%3Ak8Jx2mQp7vLr4TzN", port);

  for (guint i = 0; i < instances->len; i++)
    {
      long head = collect_request (curl, url, NULL, report);
      long post = head == 204 ? collect_request (curl, url, g_ptr_array_index (instances, i), report) : 0;

      if (post != 201 && post != 202)
        report->failures++;
    }
  curl_easy_cleanup (curl);
}

/* The demo's supervisor: the device declares her as a facilitator when it
 * enrols, so the administrator promotes her, or her reviews are refused. */
static char *
supervisor_of (ClmrsStore *store)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = clmrs_store_prepare (store, "SELECT id FROM facilitators WHERE role = 'supervisor'", &error);
  char *id = NULL;

  if (stmt == NULL)
    die ("finding the supervisor", error);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return id;
}

static void
promote (const char *server, const char *db, const char *person_id)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  if (person_id == NULL)
    return;
  out = run_server_command (server, &error, "people", "set-role", "--db", db, "--role", "supervisor",
                            "--reason", "the demo's supervisor", person_id, NULL);
  if (out == NULL)
    die ("clmrs-server people set-role", error);
}

/* ------------------------------------------------------------------ */

typedef struct {
  guint64 up;
  guint64 down;
  guint   requests;
  guint   connections;
  double  seconds;
} Figures;

static void
print_row (const char *what, double ours, double theirs, int decimals)
{
  char a[32], b[32];

  g_snprintf (a, sizeof a, "%.*f", decimals, ours);
  g_snprintf (b, sizeof b, "%.*f", decimals, theirs);
  printf ("  %-26s %14s %14s %9.1fx\n", what, a, b, ours > 0 ? theirs / ours : 0.0);
}

int
main (int argc, char **argv)
{
  int households = 0, visits_wanted = 1000, batch_kb = 0;
  double kbit = 256, rtt_ms = 600;
  gboolean quick = FALSE, keep = FALSE, no_baseline = FALSE;
  GOptionEntry entries[] = {
    { "visits", 0, 0, G_OPTION_ARG_INT, &visits_wanted, "About how many finalised visits to generate (default 1000)", "N" },
    { "households", 0, 0, G_OPTION_ARG_INT, &households, "Households in the demo (default: from --visits)", "N" },
    { "kbit", 0, 0, G_OPTION_ARG_DOUBLE, &kbit, "Link bandwidth each way, kbit/s (default 256)", "KBIT" },
    { "rtt-ms", 0, 0, G_OPTION_ARG_DOUBLE, &rtt_ms, "Link round trip, ms (default 600)", "MS" },
    { "quick", 0, 0, G_OPTION_ARG_NONE, &quick, "A small run on a fast link (smoke test)", NULL },
    { "keep", 0, 0, G_OPTION_ARG_NONE, &keep, "Keep the databases and logs", NULL },
    { "no-baseline", 0, 0, G_OPTION_ARG_NONE, &no_baseline, "Measure CLMRS only (when tuning it)", NULL },
    { "batch-kb", 0, 0, G_OPTION_ARG_INT, &batch_kb, "CLMRS push batch, envelope kB before compression (default: the client's)", "KB" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- CLMRS sync against an ODK-style upload");
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsStore) store = NULL;
  g_autoptr(GPtrArray) instances = NULL;
  g_autofree char *dir = NULL, *device_db = NULL, *fresh_db = NULL, *server_db = NULL;
  g_autofree char *supervisor = NULL;
  g_autofree char *server_log = NULL, *code = NULL, *sql = NULL;
  const char *server = g_getenv ("CLMRS_SERVER") ? g_getenv ("CLMRS_SERVER") : CLMRS_SERVER_PATH;
  ClmrsDemoReport demo;
  ClmrsSyncReport sync, ingest;
  ClmrsSyncConfig config = { 0 };
  Figures ours = { 0 }, enrol = { 0 }, odk = { 0 };
  UploadReport upload = { 0 };
  Server srv = { 0 };
  Sink sink = { 0 };
  Proxy *proxy;
  gint64 n_visits, n_records;
  gsize xml_bytes;
  guint64 u0, d0, u1, d1;
  double t0, gen_s, server_ms;
  guint pushes;
  int status = 0;

  setvbuf (stdout, NULL, _IOLBF, 0);   /* progress shows in a log file too */
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    die ("options", error);
  if (quick)
    {
      visits_wanted = 30;
      kbit = 100000;
      rtt_ms = 2;
    }
  if (households <= 0)
    households = MAX (1, (visits_wanted * 10 + 43) / 87);   /* the demo makes ~8.7 visits a household */
  curl_global_init (CURL_GLOBAL_DEFAULT);

  dir = g_dir_make_tmp ("clmrs-bench-sync-XXXXXX", &error);
  if (dir == NULL)
    die ("temporary directory", error);
  device_db = g_build_filename (dir, "device.db", NULL);
  fresh_db = g_build_filename (dir, "device-fresh.db", NULL);
  server_db = g_build_filename (dir, "server.db", NULL);
  server_log = g_build_filename (dir, "server.log", NULL);

  /* 1. the device */
  store = clmrs_store_open (device_db, &error);
  if (store == NULL)
    die ("opening the device database", error);
  t0 = now_s ();
  if (!clmrs_demo_generate (store, &(ClmrsDemoOptions) { .households = households, .seed = 7, .until = "2026-06-30" },
                            &demo, &error))
    die ("generating", error);
  gen_s = now_s () - t0;
  n_visits = scalar (store, "SELECT count (*) FROM visits WHERE state = 'final'");
  if (!clmrs_outbox_count_queued (store, &n_records, &error))
    die ("counting the queue", error);
  printf ("device: %d households, %u children; %" G_GINT64_FORMAT " finalised visits (%u household visits, "
          "%u follow-ups, %u supports, %u awareness sessions, %u community profiles); %" G_GINT64_FORMAT
          " records queued (%.1f MB of envelopes); generated in %.1f s\n",
          households, demo.children, n_visits, demo.household_visits, demo.follow_ups, demo.supports,
          demo.awareness_sessions, demo.communities, n_records,
          scalar (store, "SELECT sum (bytes) FROM outbox WHERE state = 'queued'") / 1e6, gen_s);
  sql = g_strdup_printf ("VACUUM INTO '%s'", fresh_db);   /* the same device before any sync, for step 6 */
  if (!clmrs_store_exec (store, sql, &error))
    die ("copying the device database", error);
  instances = visit_instances (store, &xml_bytes);
  printf ("instances: %u XForms submissions, %.1f kB of instance XML (%.0f bytes each on average)\n",
          instances->len, xml_bytes / 1e3, (double) xml_bytes / MAX (1, instances->len));
  printf ("link: %.0f kbit/s each way, %.0f ms round trip\n\n", kbit, rtt_ms);

  /* 3. CLMRS through the link */
  code = enrol_code (server, server_db);
  server_start (&srv, server, server_db, server_log);
  proxy = proxy_start (srv.port, kbit, rtt_ms);
  config.server_url = g_strdup_printf ("http://127.0.0.1:%d", proxy->port);
  supervisor = supervisor_of (store);
  t0 = now_s ();
  if (!clmrs_sync_enrol (store, &config, code, "bench tablet", &error))
    die ("enrolling", error);
  enrol.seconds = now_s () - t0;
  promote (server, server_db, supervisor);
  enrol.requests = 1;
  proxy_counts (proxy, &enrol.up, &enrol.down);
  t0 = now_s ();
  if (!clmrs_sync_run (store, &(ClmrsSyncConfig) { .batch_bytes = (gsize) MAX (batch_kb, 0) * 1024 },
                       NULL, NULL, NULL, &sync, &error))
    die ("syncing", error);
  ours.seconds = now_s () - t0;
  proxy_counts (proxy, &u1, &d1);
  ours.up = u1 - enrol.up;
  ours.down = d1 - enrol.down;
  ours.requests = sync.requests;
  ours.connections = g_atomic_int_get (&proxy->accepted) - 1;   /* the enrolment had its own */
  proxy_stop (proxy);
  server_stop (&srv);
  printf ("CLMRS: enrolment %" G_GUINT64_FORMAT " B up, %" G_GUINT64_FORMAT " B down, %.2f s; sync: %"
          G_GUINT64_FORMAT " records sent (%" G_GUINT64_FORMAT " stored), %" G_GUINT64_FORMAT " pulled, %u requests, "
          "%u retries, %.2f s\n",
          enrol.up, enrol.down, enrol.seconds, sync.records_sent, sync.stored, sync.pulled, sync.requests,
          sync.retries, ours.seconds);
  printf ("  cross-check: on the wire %" G_GUINT64_FORMAT " B up / %" G_GUINT64_FORMAT " B down; the client's report %"
          G_GUINT64_FORMAT " / %" G_GUINT64_FORMAT "\n", ours.up, ours.down, sync.bytes_up, sync.bytes_down);
  if (sync.bytes_up != ours.up || sync.bytes_down != ours.down)
    {
      fprintf (stderr, "bench-sync: the client's byte counts differ from the bytes on the wire\n");
      status = 1;
    }
  if (sync.records_sent != (guint64) n_records || sync.queued_left != 0)
    {
      fprintf (stderr, "bench-sync: %" G_GINT64_FORMAT " records queued, %" G_GUINT64_FORMAT " acknowledged\n",
               n_records, sync.records_sent);
      status = 1;
    }

  if (no_baseline)
    {
      printf ("\n%" G_GINT64_FORMAT " visits (%" G_GINT64_FORMAT " records), %.0f kbit/s, %.0f ms RTT, CLMRS only\n"
              "  bytes up %" G_GUINT64_FORMAT ", down %" G_GUINT64_FORMAT ", total per visit %.1f, requests %u, "
              "wall time %.2f s\n", n_visits, n_records, kbit, rtt_ms, ours.up, ours.down,
              (double) (ours.up + ours.down) / n_visits, ours.requests, ours.seconds);
      goto ingest;
    }

  /* 4. the ODK baseline through the same link */
  sink_start (&sink);
  proxy = proxy_start (sink.port, kbit, rtt_ms);
  proxy_counts (proxy, &u0, &d0);
  t0 = now_s ();
  collect_upload (proxy->port, instances, &upload);
  odk.seconds = now_s () - t0;
  proxy_counts (proxy, &u1, &d1);
  odk.up = u1 - u0;
  odk.down = d1 - d0;
  odk.requests = upload.requests;
  odk.connections = g_atomic_int_get (&proxy->accepted);
  proxy_stop (proxy);
  MHD_stop_daemon (sink.daemon);
  printf ("ODK baseline: %d HEAD, %d submissions accepted, %u failed, %u requests, %.2f s\n",
          g_atomic_int_get (&sink.heads), g_atomic_int_get (&sink.submissions), upload.failures,
          upload.requests, odk.seconds);
  printf ("  cross-check: on the wire %" G_GUINT64_FORMAT " B up / %" G_GUINT64_FORMAT " B down; libcurl's count %"
          G_GUINT64_FORMAT " / %" G_GUINT64_FORMAT "\n", odk.up, odk.down, upload.curl_up, upload.curl_down);
  if (upload.failures > 0 || g_atomic_int_get (&sink.submissions) != (gint) instances->len)
    status = 1;
  if (odk.connections != 1 || ours.connections != 1)
    {
      /* a connection closed between requests would cost either side a handshake */
      fprintf (stderr, "bench-sync: keep-alive broken: %u connections for CLMRS, %u for the baseline\n",
               ours.connections, odk.connections);
      status = 1;
    }

  /* 5. the table */
  printf ("\n%" G_GINT64_FORMAT " visits (%" G_GINT64_FORMAT " records), %.0f kbit/s, %.0f ms RTT\n",
          n_visits, n_records, kbit, rtt_ms);
  printf ("  %-26s %14s %14s %10s\n", "", "CLMRS sync", "ODK baseline", "ODK/CLMRS");
  print_row ("bytes up", ours.up, odk.up, 0);
  print_row ("bytes down", ours.down, odk.down, 0);
  print_row ("bytes total", ours.up + ours.down, odk.up + odk.down, 0);
  print_row ("bytes up per visit", (double) ours.up / n_visits, (double) odk.up / n_visits, 1);
  print_row ("bytes down per visit", (double) ours.down / n_visits, (double) odk.down / n_visits, 1);
  print_row ("bytes total per visit", (double) (ours.up + ours.down) / n_visits,
             (double) (odk.up + odk.down) / n_visits, 1);
  print_row ("requests", ours.requests, odk.requests, 0);
  print_row ("TCP connections", ours.connections, odk.connections, 0);
  print_row ("wall time, s", ours.seconds, odk.seconds, 2);
  print_row ("bytes total, with enrolment", ours.up + ours.down + enrol.up + enrol.down, odk.up + odk.down, 0);
  print_row ("wall time with enrolment, s", ours.seconds + enrol.seconds, odk.seconds, 2);
  if (quick)
    printf ("  (--quick: a fast link, a smoke test; the goal is for the village link)\n\n");
  else
    printf ("  goal: >= 10x fewer bytes (%s), >= 20x less time (%s)\n\n",
          (double) (odk.up + odk.down) / (ours.up + ours.down) >= 10 ? "met" : "MISSED",
          odk.seconds / ours.seconds >= 20 ? "met" : "MISSED");

  /* 6. ingest on loopback: a fresh copy of the device, large batches; the
   * median of three rounds, each with a new copy and a new server */
ingest:
  {
    guint rounds = quick ? 1 : 3;
    double e2e[3], own[3];

    for (guint round = 0; round < rounds; round++)
      {
        g_autofree char *copy = g_strdup_printf ("%s/device-ingest-%u.db", dir, round);
        g_autofree char *db = g_strdup_printf ("%s/server-ingest-%u.db", dir, round);
        g_autofree char *log = g_strdup_printf ("%s/server-ingest-%u.log", dir, round);
        g_autofree char *copy_sql = g_strdup_printf ("VACUUM INTO '%s'", copy);
        g_autofree char *code2 = NULL;
        g_autoptr(ClmrsStore) fresh = clmrs_store_open (fresh_db, &error);
        ClmrsSyncConfig big = { .batch_bytes = 16 * 1024 * 1024 };

        if (fresh == NULL || !clmrs_store_exec (fresh, copy_sql, &error))
          die ("copying the device", error);
        g_clear_pointer (&fresh, clmrs_store_close);
        if ((fresh = clmrs_store_open (copy, &error)) == NULL)
          die ("opening the device copy", error);
        code2 = enrol_code (server, db);
        server_start (&srv, server, db, log);
        big.server_url = srv.url;
        if (!clmrs_sync_enrol (fresh, &big, code2, "bench tablet 2", &error))
          die ("enrolling the copy", error);
        promote (server, db, supervisor);
        t0 = now_s ();
        if (!clmrs_sync_run (fresh, &big, NULL, NULL, NULL, &ingest, &error))
          die ("ingest run", error);
        t0 = now_s () - t0;
        server_stop (&srv);
        server_push_time (log, &server_ms, &pushes);
        e2e[round] = ingest.records_sent / t0;
        own[round] = ingest.records_sent / MAX (server_ms / 1000, 1e-3);
        printf ("ingest on loopback, round %u: %" G_GUINT64_FORMAT " records in %u pushes, %.2f s end to end: "
                "%.0f records/s; server time in push %.2f s: %.0f records/s\n",
                round + 1, ingest.records_sent, pushes, t0, e2e[round], server_ms / 1000, own[round]);
        if (ingest.records_sent != (guint64) n_records)
          status = 1;
      }
    qsort (e2e, rounds, sizeof (double), compare_doubles);
    qsort (own, rounds, sizeof (double), compare_doubles);
    printf ("ingest on loopback, median of %u: %.0f records/s end to end, %.0f records/s of server time\n",
            rounds, e2e[rounds / 2], own[rounds / 2]);
  }

  g_clear_pointer (&store, clmrs_store_close);
  g_free ((char *) config.server_url);
  if (keep)
    printf ("kept %s\n", dir);
  else
    {
      for (const char *const *f = (const char *[]) { "device.db", "device-fresh.db", "server.db", "server.log",
                                                       "device-ingest-0.db", "device-ingest-1.db", "device-ingest-2.db",
                                                       "server-ingest-0.db", "server-ingest-1.db", "server-ingest-2.db",
                                                       "server-ingest-0.log", "server-ingest-1.log", "server-ingest-2.log",
                                                       NULL }; *f; f++)
        for (const char *const *suffix = (const char *[]) { "", "-wal", "-shm", NULL }; *suffix; suffix++)
          {
            g_autofree char *p = g_strconcat (dir, "/", *f, *suffix, NULL);
            g_unlink (p);
          }
      g_rmdir (dir);
    }
  curl_global_cleanup ();
  return status;
}
