/* bench-server.c: clmrs-server under load: 200 devices push N records over loopback, then pull. */
#include "bench-uuids.h"
#include "demo.h"
#include "server.h"
#include "record.h"
#include "store.h"
#include "syncstore.h"
#include "util.h"
#include "wire.h"

#include <curl/curl.h>
#include <gio/gio.h>
#include <malloc.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * Usage:
 *   build/tests/bench-server                      # 1,000,000 records from 200 devices
 *   build/tests/bench-server --records 100000     # smaller
 *   build/tests/bench-server --records 20000 --devices 20 --no-baseline --keep
 *   build/tests/bench-server --db postgresql:///bench?host=/tmp/pg --servers 2
 *                                                 # on an empty PostgreSQL database,
 *                                                 # two `serve` processes
 *   (tools/bench-server-stores.sh runs SQLite, PostgreSQL and PostgreSQL
 *   with two processes on one throw-away cluster, one after the other)
 *
 * In one run:
 *  1. a template device (clmrs_demo_generate, seed 7, period ending
 *     2026-06-30) with enough households for --records / --devices records;
 *     its queued envelopes, less supervisors' reviews (a review needs a
 *     supervisor the administrator promoted), are the template batch;
 *  2. each simulated device gets the template with every UUID rewritten
 *     (the first 8 hex digits become the device's number): its own
 *     households, children, visits and facilitators; devices 2k and 2k+1
 *     share their communities, so each pulls the other's records; each
 *     envelope is rebuilt with its new ids (clmrs_record_envelope_line),
 *     so hashes are right and the server checks everything as usual;
 *  3. a real `clmrs-server serve` (--rate 0) on loopback; an enrolment code
 *     per device (`clmrs-server enroll-code`), each device enrols over HTTP
 *     declaring its facilitators;
 *  4. push: --threads client threads, each device's records in batches of
 *     --batch records, gzip'd, Idempotency-Key, Prefer: return=minimal, as
 *     the CLMRS client sends them; every record must come back stored;
 *  5. pull: every device pulls from cursor 0 until X-Clmrs-Has-More is false;
 *  6. the server's memory (VmHWM, VmRSS) before it is stopped; database size;
 *  7. `clmrs-server indicators --json` from the derived store, timed (three
 *     runs), and the baseline: `indicators --replay`, every record replayed
 *     into an in-memory store as before (skipped with --no-baseline); both
 *     answers must be the same;
 *  8. `export --ndjson` and `export --csv` timed, with their peak memory
 *     (skipped with --no-export).
 *
 * CLMRS_TODAY is set to 2026-06-30 for every process, so figures repeat.
 * Exit 0 only when every record was stored and the two indicators agree.
 */

static const char *server_path;
static char *dir;

static double
now_s (void)
{
  return g_get_monotonic_time () / 1e6;
}

static void
die (const char *what, GError *error)
{
  fprintf (stderr, "bench-server: %s: %s\n", what, error ? error->message : "failed");
  exit (1);
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
percentile (GArray *values, double p)
{
  guint i;

  if (values->len == 0)
    return 0;
  qsort (values->data, values->len, sizeof (double), compare_doubles);
  i = (guint) (p * (values->len - 1) + 0.5);
  return g_array_index (values, double, i);
}

/* ---- running clmrs-server commands -------------------------------------- */

typedef struct {
  double  seconds;
  double  cpu_seconds;     /* user + system: what the load of a shared machine does not change */
  long    max_rss_kb;
  int     status;
} Run;

/* Runs clmrs-server with @args (NULL-terminated), stdout to @out_path (or
 * /dev/null), and measures it with wait4(). */
static Run
run_server_command (const char *out_path, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  struct rusage usage = { 0 };
  Run r = { 0 };
  double start = now_s ();
  va_list ap;
  const char *arg;
  pid_t pid;
  int status = 0;

  g_ptr_array_add (argv, (gpointer) server_path);
  va_start (ap, out_path);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  fflush (NULL);
  pid = fork ();
  if (pid == 0)
    {
      FILE *out = freopen (out_path ? out_path : "/dev/null", "w", stdout);

      /* progress lines: not part of the table */
      if (out == NULL || freopen ("/dev/null", "w", stderr) == NULL)
        _exit (127);
      execv (server_path, (char **) argv->pdata);
      _exit (127);
    }
  if (pid < 0 || wait4 (pid, &status, 0, &usage) != pid)
    die ("running clmrs-server", NULL);
  r.seconds = now_s () - start;
  r.cpu_seconds = usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6
                  + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
  r.max_rss_kb = usage.ru_maxrss;
  r.status = WIFEXITED (status) ? WEXITSTATUS (status) : 128;
  return r;
}

static char *
capture (const char *first, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL, *err = NULL;
  int status = 0;
  va_list ap;
  const char *arg;

  g_ptr_array_add (argv, (gpointer) server_path);
  g_ptr_array_add (argv, (gpointer) first);
  va_start (ap, first);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error)
      || !g_spawn_check_wait_status (status, &error))
    {
      fprintf (stderr, "%s", err ? err : "");
      die (first, error);
    }
  return g_strstrip (g_steal_pointer (&out));
}

/* ---- the simulated devices ---------------------------------------------- */

typedef struct {
  guint      index;
  char      *token;
  char      *local_id;
  GPtrArray *batches;        /* (element-type GBytes) gzip'd NDJSON */
  guint      records;
} Device;

/* The template line rewritten for one device, its envelope rebuilt. */
static char *
device_line (const char *line,
             GHashTable *communities,
             Device     *device)
{
  g_autofree char *text = bench_remap_uuids (line, communities, device->index + 1, device->index / 2 + 1);
  g_autoptr(JsonNode) node = json_from_string (text, NULL);
  JsonObject *env;
  ClmrsRecordHeader h = { 0 };

  if (node == NULL)
    die ("template line", NULL);
  env = json_node_get_object (node);
  if (!clmrs_record_type_from_string (json_object_get_string_member (env, "type"), &h.type))
    die ("template type", NULL);
  h.id = json_object_get_string_member (env, "id");
  h.rev = json_object_get_int_member (env, "rev");
  h.device_id = device->local_id;
  h.author = json_object_get_string_member (env, "author");
  h.community_id = json_object_get_string_member (env, "community_id");
  h.created = json_object_get_string_member (env, "created");
  h.modified = json_object_get_string_member (env, "modified");
  h.schema = json_object_get_string_member (env, "schema");
  h.rules = json_object_get_null_member (env, "rules") ? NULL : json_object_get_string_member (env, "rules");
  return clmrs_record_envelope_line (&h, json_node_copy (json_object_get_member (env, "body")));
}

/* ---- HTTP ----------------------------------------------------------------- */

typedef struct {
  GString *body;
  char    *cursor;
  gboolean has_more;
} Reply;

static size_t
on_body (char *data, size_t size, size_t n, void *user)
{
  g_string_append_len (((Reply *) user)->body, data, (gssize) (size * n));
  return size * n;
}

static size_t
on_header (char *data, size_t size, size_t n, void *user)
{
  Reply *reply = user;
  gsize len = size * n;

  if (len > 16 && g_ascii_strncasecmp (data, "X-Clmrs-Cursor:", 15) == 0)
    {
      g_free (reply->cursor);
      reply->cursor = g_strstrip (g_strndup (data + 15, len - 15));
    }
  if (len > 18 && g_ascii_strncasecmp (data, "X-Clmrs-Has-More:", 17) == 0)
    reply->has_more = strstr (data + 17, "true") != NULL;
  return len;
}

static long
request (CURL *curl, const char *url, const char *token, const char *const *headers,
         const void *body, gsize length, Reply *reply)
{
  struct curl_slist *list = NULL;
  g_autofree char *auth = token ? g_strdup_printf ("Authorization: Bearer %s", token) : NULL;
  long code = 0;

  curl_easy_reset (curl);
  if (auth)
    list = curl_slist_append (list, auth);
  for (guint i = 0; headers && headers[i]; i++)
    list = curl_slist_append (list, headers[i]);
  curl_easy_setopt (curl, CURLOPT_URL, url);
  curl_easy_setopt (curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, reply);
  curl_easy_setopt (curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt (curl, CURLOPT_HEADERDATA, reply);
  curl_easy_setopt (curl, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt (curl, CURLOPT_TIMEOUT, 600L);
  if (body != NULL)
    {
      curl_easy_setopt (curl, CURLOPT_POSTFIELDS, body);
      curl_easy_setopt (curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) length);
    }
  g_string_truncate (reply->body, 0);
  if (curl_easy_perform (curl) != CURLE_OK)
    code = -1;
  else
    curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &code);
  curl_slist_free_all (list);
  return code;
}

typedef struct {
  const char *base;
  GPtrArray  *devices;
  guint       thread;
  guint       n_threads;
  GArray     *latencies;   /* seconds */
  guint64     records;     /* pushed, or pulled */
  guint64     bytes;
  gboolean    failed;
} Worker;

static gpointer
push_worker (gpointer data)
{
  Worker *w = data;
  CURL *curl = curl_easy_init ();
  Reply reply = { g_string_new (NULL), NULL, FALSE };
  g_autofree char *url = g_strdup_printf ("%s/api/v1/push", w->base);

  for (guint d = w->thread; d < w->devices->len; d += w->n_threads)
    {
      Device *device = g_ptr_array_index (w->devices, d);

      for (guint b = 0; b < device->batches->len; b++)
        {
          GBytes *gz = g_ptr_array_index (device->batches, b);
          g_autofree char *uuid = g_uuid_string_random ();
          g_autofree char *key = g_strdup_printf ("Idempotency-Key: %s", uuid);
          const char *headers[] = { "Content-Encoding: gzip", "Content-Type: application/x-ndjson",
                                    "Prefer: return=minimal", key, NULL };
          gsize length;
          const void *body = g_bytes_get_data (gz, &length);
          double start = now_s ();
          long code = request (curl, url, device->token, headers, body, length, &reply);
          double took = now_s () - start;

          g_array_append_val (w->latencies, took);
          w->bytes += length;
          if (code != 200 || strstr (reply.body->str, "\"rejected\":0") == NULL
              || strstr (reply.body->str, "\"conflict\":0") == NULL)
            {
              fprintf (stderr, "bench-server: push of device %u: %ld %.300s\n", d, code, reply.body->str);
              w->failed = TRUE;
            }
          else
            {
              const char *stored = strstr (reply.body->str, "\"stored\":");

              w->records += stored ? g_ascii_strtoull (stored + 9, NULL, 10) : 0;
            }
        }
    }
  g_string_free (reply.body, TRUE);
  g_free (reply.cursor);
  curl_easy_cleanup (curl);
  return NULL;
}

static gpointer
pull_worker (gpointer data)
{
  Worker *w = data;
  CURL *curl = curl_easy_init ();
  Reply reply = { g_string_new (NULL), NULL, FALSE };

  for (guint d = w->thread; d < w->devices->len; d += w->n_threads)
    {
      Device *device = g_ptr_array_index (w->devices, d);
      g_autofree char *cursor = g_strdup ("0");

      do
        {
          g_autofree char *url = g_strdup_printf ("%s/api/v1/pull?cursor=%s", w->base, cursor);
          double start = now_s ();
          long code = request (curl, url, device->token, NULL, NULL, 0, &reply);
          double took = now_s () - start;

          g_array_append_val (w->latencies, took);
          if (code != 200 || reply.cursor == NULL)
            {
              fprintf (stderr, "bench-server: pull of device %u: %ld\n", d, code);
              w->failed = TRUE;
              break;
            }
          for (gsize i = 0; i < reply.body->len; i++)
            w->records += reply.body->str[i] == '\n';
          w->bytes += reply.body->len;
          g_free (cursor);
          cursor = g_steal_pointer (&reply.cursor);
        }
      while (reply.has_more);
    }
  g_string_free (reply.body, TRUE);
  g_free (reply.cursor);
  curl_easy_cleanup (curl);
  return NULL;
}

static void
run_workers (GThreadFunc func, Worker *workers, guint n)
{
  GThread **threads = g_new0 (GThread *, n);

  for (guint t = 0; t < n; t++)
    threads[t] = g_thread_new ("bench", func, &workers[t]);
  for (guint t = 0; t < n; t++)
    g_thread_join (threads[t]);
  g_free (threads);
}

static long
proc_status_kb (GPid pid, const char *field)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", pid);
  g_autofree char *text = NULL;
  const char *p;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (p = strstr (text, field)) == NULL)
    return -1;
  return strtol (p + strlen (field) + 1, NULL, 10);
}

static guint64
file_size (const char *path)
{
  struct stat st;

  return g_stat (path, &st) == 0 ? (guint64) st.st_size : 0;
}

int
main (int argc, char **argv)
{
  gint64 n_records = 1000000;
  int n_devices = 200, n_threads = 8, batch = 1000;
  gboolean no_baseline = FALSE, no_export = FALSE, keep = FALSE;
  g_autofree char *db_uri = NULL;
  int n_servers = 1;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_STRING, &db_uri, "an empty PostgreSQL database (default: SQLite in a temporary folder)", "URI" },
    { "servers", 0, 0, G_OPTION_ARG_INT, &n_servers, "`serve` processes on the database (default 1; more only on PostgreSQL)", "N" },
    { "records", 0, 0, G_OPTION_ARG_INT64, &n_records, "records to push in all (default 1000000)", "N" },
    { "devices", 0, 0, G_OPTION_ARG_INT, &n_devices, "simulated devices (default 200)", "N" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &n_threads, "client threads (default 8)", "N" },
    { "batch", 0, 0, G_OPTION_ARG_INT, &batch, "records a push (default 1000)", "N" },
    { "no-baseline", 0, 0, G_OPTION_ARG_NONE, &no_baseline, "skip `indicators --replay` (minutes on 1M records)", NULL },
    { "no-export", 0, 0, G_OPTION_ARG_NONE, &no_export, "skip the timed `export --ndjson` and `--csv`", NULL },
    { "keep", 0, 0, G_OPTION_ARG_NONE, &keep, "keep the databases and the server log", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- clmrs-server under load");
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsStore) template = NULL;
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) communities = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) community_list = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) devices = g_ptr_array_new ();
  g_autoptr(GPtrArray) push_order = g_ptr_array_new ();
  g_autoptr(JsonNode) people = NULL;
  g_autofree char *template_path = NULL, *db = NULL, *log = NULL, *derived_dir = NULL;
  const char *base;
  g_autofree Worker *workers = NULL;
  g_autoptr(GPtrArray) servers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) bases = g_ptr_array_new_with_free_func (g_free);
  ClmrsDemoOptions options = { 0 };
  ClmrsDemoReport report = { 0 };
  guint64 pushed = 0, pulled = 0, bytes_up = 0, bytes_down = 0;
  double t0, push_s, pull_s;
  Run caught_up;
  long hwm, rss;
  gboolean failed = FALSE;
  guint households;
  GArray *push_lat = g_array_new (FALSE, FALSE, sizeof (double));
  GArray *pull_lat = g_array_new (FALSE, FALSE, sizeof (double));

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    die ("options", error);
  if (n_records < 1000 || n_devices < 2 || n_devices % 2 != 0 || n_threads < 1 || batch < 1)
    die ("options: --records >= 1000, an even --devices >= 2, --threads and --batch >= 1", NULL);
  server_path = g_getenv ("CLMRS_SERVER") ? g_getenv ("CLMRS_SERVER") : CLMRS_SERVER_PATH;
  g_setenv ("CLMRS_TODAY", "2026-06-30", TRUE);
  curl_global_init (CURL_GLOBAL_DEFAULT);
  dir = g_dir_make_tmp ("bench-server-XXXXXX", &error);
  if (dir == NULL)
    die ("temporary folder", error);

  /* 1. the template: about 20.9 records a household (docs/benchmarks.md) */
  households = (guint) MAX (4, n_records / n_devices / 20);
  template_path = g_build_filename (dir, "template.db", NULL);
  template = clmrs_store_open (template_path, &error);
  options.households = households;
  options.seed = 7;
  options.until = "2026-06-30";
  t0 = now_s ();
  if (template == NULL || !clmrs_demo_generate (template, &options, &report, &error))
    die ("template", error);
  if (!bench_template_records (template, lines, communities, community_list, &error))
    die ("template outbox", error);
  people = clmrs_store_list_people_json (template, &error);
  if (people == NULL)
    die ("template people", error);
  printf ("template: %u households, %u children, %u records (reviews left out) in %.1f s\n",
          report.households, report.children, lines->len, now_s () - t0);
  fflush (stdout);

  /* 2. the devices' batches, until n_records */
  t0 = now_s ();
  {
    guint64 left = (guint64) n_records;

    for (int d = 0; d < n_devices; d++)
      {
        Device *device = g_new0 (Device, 1);
        guint64 share = left / (guint64) (n_devices - d);
        g_autoptr(GString) ndjson = g_string_new (NULL);
        guint in_batch = 0;

        device->index = (guint) d;
        device->local_id = g_strdup_printf ("%08x-0000-4000-8000-%012x", d + 1, d + 1);
        device->batches = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
        for (guint i = 0; i < lines->len && device->records < share; i++)
          {
            g_autofree char *line = NULL;

            /* a community's profile is one record: the first of the two devices sharing it sends it */
            if (d % 2 == 1 && strstr (g_ptr_array_index (lines, i), "\"type\":\"community\"") != NULL)
              continue;
            line = device_line (g_ptr_array_index (lines, i), communities, device);

            g_string_append (ndjson, line);
            g_string_append_c (ndjson, '\n');
            device->records++;
            if (++in_batch == (guint) batch || device->records == share || i + 1 == lines->len)
              {
                GBytes *gz = clmrs_gzip_compress (ndjson->str, ndjson->len, &error);

                if (gz == NULL)
                  die ("gzip", error);
                g_ptr_array_add (device->batches, gz);
                g_string_truncate (ndjson, 0);
                in_batch = 0;
              }
          }
        left -= device->records;
        g_ptr_array_add (devices, device);
      }
  }
  printf ("batches: %d devices, %.1f s to prepare\n", n_devices, now_s () - t0);
  fflush (stdout);

  /* 3. the server, codes, enrolment */
  db = db_uri != NULL ? g_strdup (db_uri) : g_build_filename (dir, "server.db", NULL);
  log = g_build_filename (dir, "server.log", NULL);
  if (n_servers < 1 || (n_servers > 1 && !server_store_is_uri (db)))
    die ("--servers: more than one process needs a PostgreSQL --db", NULL);
  /* on PostgreSQL the derived store is a cache of this host: here */
  derived_dir = g_build_filename (dir, "derived", NULL);
  g_setenv ("CLMRS_SERVER_DERIVED_DIR", derived_dir, TRUE);
  {
    g_autofree char *free_code = capture ("enroll-code", "--db", db, "--communities", "all", NULL);

    (void) free_code;
  }
  for (int s = 0; s < n_servers; s++)
    {
      g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
      g_autoptr(GDataInputStream) in = NULL;
      g_autofree char *first = NULL;
      GSubprocess *server;
      const char *url;

      g_subprocess_launcher_set_stderr_file_path (launcher, log);
      server = g_subprocess_launcher_spawn (launcher, &error, server_path, "serve", "--db", db, "--listen",
                                            "127.0.0.1:0", "--rate", "0", "--max-connections-per-address", "256",
                                            NULL);
      if (server == NULL)
        die ("serve", error);
      g_ptr_array_add (servers, server);
      in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
      first = g_data_input_stream_read_line (in, NULL, NULL, &error);
      if (first == NULL || (url = strstr (first, "http://")) == NULL)
        die ("serve: no listening line", error);
      g_ptr_array_add (bases, g_strdup (url));
    }
  base = g_ptr_array_index (bases, 0);
  {
    CURL *curl = curl_easy_init ();
    Reply reply = { g_string_new (NULL), NULL, FALSE };
    g_autofree char *url = g_strdup_printf ("%s/api/v1/enroll", base);

    t0 = now_s ();
    for (guint d = 0; d < devices->len; d++)
      {
        Device *device = g_ptr_array_index (devices, d);
        g_autoptr(GString) ids = g_string_new (NULL);
        g_autofree char *code = NULL, *people_text = NULL, *body = NULL;
        g_autoptr(JsonNode) answer = NULL;
        const char *headers[] = { "Content-Type: application/json", NULL };

        for (guint c = 0; c < community_list->len; c++)
          {
            g_autofree char *id = bench_remap_uuids (g_ptr_array_index (community_list, c), communities, 0,
                                               device->index / 2 + 1);

            g_string_append_printf (ids, "%s%s", c ? "," : "", id);
          }
        {
          g_autofree char *said = capture ("enroll-code", "--db", db, "--communities", ids->str, NULL);
          const char *last = strrchr (said, '\n');

          code = g_strdup (last != NULL ? last + 1 : said);   /* the code is the last line */
        }
        {
          g_autofree char *people_json = clmrs_json_to_string (people);

          people_text = bench_remap_uuids (people_json, communities, device->index + 1, 0);
        }
        body = g_strdup_printf ("{\"code\":\"%s\",\"device_name\":\"bench %u\",\"people\":%s}", code, d,
                                people_text);
        if (request (curl, url, NULL, headers, body, strlen (body), &reply) != 201)
          {
            fprintf (stderr, "bench-server: enrol: %s\n", reply.body->str);
            exit (1);
          }
        answer = json_from_string (reply.body->str, NULL);
        device->token = g_strdup (json_object_get_string_member (json_node_get_object (answer), "token"));
      }
    printf ("enrolment: %u devices in %.1f s\n", devices->len, now_s () - t0);
    g_string_free (reply.body, TRUE);
    curl_easy_cleanup (curl);
  }

  /* 4. push: the first device of each community first, as in the field
   * (its community's profile is one of its records) */
  workers = g_new0 (Worker, n_threads);
  for (guint d = 0; d < devices->len; d += 2)
    g_ptr_array_add (push_order, g_ptr_array_index (devices, d));
  for (guint d = 1; d < devices->len; d += 2)
    g_ptr_array_add (push_order, g_ptr_array_index (devices, d));
  for (int t = 0; t < n_threads; t++)
    workers[t] = (Worker) { g_ptr_array_index (bases, t % n_servers), push_order, (guint) t, (guint) n_threads,
                            g_array_new (FALSE, FALSE, sizeof (double)), 0, 0, FALSE };
  t0 = now_s ();
  run_workers (push_worker, workers, (guint) n_threads);
  push_s = now_s () - t0;
  for (int t = 0; t < n_threads; t++)
    {
      pushed += workers[t].records;
      bytes_up += workers[t].bytes;
      failed |= workers[t].failed;
      g_array_append_vals (push_lat, workers[t].latencies->data, workers[t].latencies->len);
      g_array_set_size (workers[t].latencies, 0);
      workers[t].records = workers[t].bytes = 0;
    }

  /* the derived store catches up behind the pushes: `indicators` waits for it */
  {
    g_autofree char *out_path = g_build_filename (dir, "indicators.json", NULL);

    caught_up = run_server_command (out_path, "indicators", "--db", db, "--json", NULL);
    caught_up.seconds += now_s () - t0 - push_s - caught_up.seconds;
  }

  /* 5. pull */
  for (int t = 0; t < n_threads; t++)
    workers[t].devices = devices;
  t0 = now_s ();
  run_workers (pull_worker, workers, (guint) n_threads);
  pull_s = now_s () - t0;
  for (int t = 0; t < n_threads; t++)
    {
      pulled += workers[t].records;
      bytes_down += workers[t].bytes;
      failed |= workers[t].failed;
      g_array_append_vals (pull_lat, workers[t].latencies->data, workers[t].latencies->len);
      g_array_unref (workers[t].latencies);
    }

  /* A forked child's peak memory counts what it shared with this process
   * at the fork: the batches go before the commands below are measured. */
  for (guint d = 0; d < devices->len; d++)
    g_clear_pointer (&((Device *) g_ptr_array_index (devices, d))->batches, g_ptr_array_unref);
  g_ptr_array_set_size (lines, 0);
  malloc_trim (0);

  /* 6. the server's memory, then stop it */
  hwm = rss = 0;
  for (guint s = 0; s < servers->len; s++)
    {
      GSubprocess *server = g_ptr_array_index (servers, s);

      /* the largest process */
      hwm = MAX (hwm, proc_status_kb (atoi (g_subprocess_get_identifier (server)), "VmHWM:"));
      rss = MAX (rss, proc_status_kb (atoi (g_subprocess_get_identifier (server)), "VmRSS:"));
      g_subprocess_send_signal (server, SIGTERM);
      g_subprocess_wait (server, NULL, NULL);
    }

  printf ("\nclmrs-server on %s, %d process%s, %" G_GUINT64_FORMAT " records from %d devices "
          "(%d client threads, %d-record batches)\n", server_store_is_uri (db) ? "PostgreSQL" : "SQLite",
          n_servers, n_servers == 1 ? "" : "es", pushed, n_devices, n_threads, batch);
  printf ("  ingest                         %10.0f records/s (%.1f s; %.1f MB gzip'd up)\n",
          pushed / push_s, push_s, bytes_up / 1e6);
  printf ("  ODK Central, published         %10.0f submissions/s (2 GB server): CLMRS/Central %.0fx\n",
          41.0, pushed / push_s / 41.0);
  printf ("  derived store caught up        %.1f s after the last push (indicators answered then)\n",
          caught_up.seconds);
  printf ("  push latency (one batch)       median %.3f s, p99 %.3f s, %u pushes\n",
          percentile (push_lat, 0.5), percentile (push_lat, 0.99), push_lat->len);
  printf ("  pull: %d devices from 0        %.1f s, %" G_GUINT64_FORMAT " lines, %.1f MB\n",
          n_devices, pull_s, pulled, bytes_down / 1e6);
  printf ("  pull latency (one page)        median %.3f s, p99 %.3f s, %u pages\n",
          percentile (pull_lat, 0.5), percentile (pull_lat, 0.99), pull_lat->len);
  printf ("  server memory                  peak %.0f MB, at the end %.0f MB%s\n", hwm / 1024.0, rss / 1024.0,
          n_servers > 1 ? " (the largest process)" : "");
  printf ("  (this program's own memory, counted in the peaks of the commands below: %.0f MB)\n",
          proc_status_kb (getpid (), "VmRSS:") / 1024.0);
  {
    g_autofree char *wal = g_strconcat (db, "-wal", NULL);
    g_autofree char *derived = g_strconcat (db, ".derived", NULL);
    g_autofree char *derived_wal = g_strconcat (db, ".derived-wal", NULL);
    guint64 main_size = file_size (db) + file_size (wal);
    guint64 derived_size = file_size (derived) + file_size (derived_wal);

    if (server_store_is_uri (db))
      {
        g_autoptr(ServerDb) store = server_store_open (db, &error);
        g_autoptr(ServerStmt) stmt = store != NULL ? db_prepare (store, "SELECT pg_database_size (current_database ())",
                                                                  &error) : NULL;
        g_autoptr(GDir) folder = g_dir_open (derived_dir, 0, NULL);
        const char *name;

        if (stmt == NULL || db_step (stmt) != DB_ROW)
          die ("the PostgreSQL database's size", error);
        main_size = (guint64) db_column_int64 (stmt, 0);
        derived_size = 0;
        while (folder != NULL && (name = g_dir_read_name (folder)) != NULL)
          {
            g_autofree char *path = g_build_filename (derived_dir, name, NULL);

            derived_size += file_size (path);
          }
      }

    printf ("  database                       %.1f MB, %.0f bytes a record\n", main_size / 1e6,
            (double) main_size / (double) MAX (pushed, 1));
    printf ("  derived store (cases, indic.)  %.1f MB, %.0f bytes a record\n", derived_size / 1e6,
            (double) derived_size / (double) MAX (pushed, 1));
  }
  fflush (stdout);

  /* 7. indicators: derived store, then the replay baseline */
  {
    g_autofree char *out_path = g_build_filename (dir, "indicators.json", NULL);
    g_autofree char *replay_path = g_build_filename (dir, "indicators-replay.json", NULL);
    g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
    double cpu = 0;
    long rss_kb = 0;

    for (int i = 0; i < 3; i++)
      {
        Run r = run_server_command (out_path, "indicators", "--db", db, "--json", NULL);

        if (r.status != 0)
          die ("indicators", NULL);
        g_array_append_val (times, r.seconds);
        rss_kb = MAX (rss_kb, r.max_rss_kb);
        cpu = MAX (cpu, r.cpu_seconds);
      }
    printf ("  indicators --json (kept answer) median %.3f s of 3 (%.3f, %.3f, %.3f), at most %.3f s CPU, "
            "peak memory %.0f MB\n", percentile (times, 0.5), g_array_index (times, double, 0),
            g_array_index (times, double, 1), g_array_index (times, double, 2), cpu, rss_kb / 1024.0);
    /* periods asked for the first time: computed, not the kept answer
     * (every answer holds the breakdowns by community, sex and month) */
    {
      static const char *const periods[][3] = { { "2025-07-01", "2025-12-31", "six months" },
                                                { "2026-05-01", "2026-05-31", "one month" } };

      for (guint p = 0; p < G_N_ELEMENTS (periods); p++)
        {
          Run r = run_server_command (out_path, "indicators", "--db", db, "--json", "--from", periods[p][0],
                                      "--to", periods[p][1], NULL);

          if (r.status != 0)
            die ("indicators --from --to", NULL);
          printf ("  indicators --from --to, %s (computed) %.3f s, %.3f s CPU, peak memory %.0f MB\n",
                  periods[p][2], r.seconds, r.cpu_seconds, r.max_rss_kb / 1024.0);
        }
    }
    {
      Run r = run_server_command (out_path, "indicators", "--db", db, "--json", NULL);

      if (r.status != 0)
        die ("indicators", NULL);
    }
    if (!no_baseline)
      {
        Run r = run_server_command (replay_path, "indicators", "--db", db, "--json", "--replay", NULL);
        g_autofree char *a = NULL, *b = NULL;

        if (r.status != 0)
          die ("indicators --replay", NULL);
        printf ("  baseline: indicators --replay  %.1f s, %.1f s CPU, peak memory %.0f MB\n", r.seconds,
                r.cpu_seconds, r.max_rss_kb / 1024.0);
        if (!g_file_get_contents (out_path, &a, NULL, NULL) || !g_file_get_contents (replay_path, &b, NULL, NULL)
            || strcmp (a, b) != 0)
          {
            fprintf (stderr, "bench-server: the derived store's indicators differ from the replay's\n");
            failed = TRUE;
          }
        else
          printf ("  the two give the same indicators, byte for byte\n");
      }
  }

  /* 8. exports */
  if (!no_export)
    {
      g_autofree char *csv_dir = g_build_filename (dir, "csv", NULL);
      Run nd = run_server_command (NULL, "export", "--db", db, "--ndjson", NULL);
      Run csv = run_server_command (NULL, "export", "--db", db, "--csv", csv_dir, NULL);

      printf ("  export --ndjson                %.1f s, peak memory %.0f MB\n", nd.seconds, nd.max_rss_kb / 1024.0);
      printf ("  export --csv                   %.1f s, peak memory %.0f MB\n", csv.seconds, csv.max_rss_kb / 1024.0);
      if (nd.status != 0 || csv.status != 0)
        failed = TRUE;
    }

  if (pushed != (guint64) n_records)
    {
      fprintf (stderr, "bench-server: %" G_GUINT64_FORMAT " of %" G_GINT64_FORMAT " records stored\n",
               pushed, n_records);
      failed = TRUE;
    }
  if (keep)
    printf ("kept: %s\n", dir);
  else
    {
      g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);

      if (system (cmd) != 0)
        fprintf (stderr, "bench-server: could not remove %s\n", dir);
    }
  g_array_unref (push_lat);
  g_array_unref (pull_lat);
  return failed ? 1 : 0;
}
