/* bench-derived.c: what one record costs the server's derived store, as the store grows. */
#include "bench-uuids.h"
#include "demo.h"
#include "store.h"
#include "syncstore.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <sys/resource.h>

/*
 * Usage:
 *   build/tests/bench-derived                     # 100,000 records
 *   build/tests/bench-derived --records 20000 --step 5000
 *
 * The derived store (sync/server/server-derived.c) takes each stored
 * record with the core's clmrs_pull_apply(), 1,000 a transaction.  This
 * program does the same without a server: a template device
 * (clmrs_demo_generate, seed 7, 25 households, period ending 2026-06-30,
 * as bench-server's at 100,000 records from 200 devices), its queued
 * records copied with every UUID rewritten (the first 8 hex digits become
 * the copy's number, communities shared by two copies), applied in pages
 * of 1,000 to a fresh store on disk.  For every --step records it prints
 * the store's size before them and the wall and CPU time a record, so a
 * cost that grows with the store shows as a growing column.
 */

static double
now_s (void)
{
  return g_get_monotonic_time () / 1e6;
}

static double
cpu_s (void)
{
  struct rusage u;

  getrusage (RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

static void
die (const char *what, GError *error)
{
  g_printerr ("bench-derived: %s: %s\n", what, error != NULL ? error->message : "failed");
  exit (1);
}

int
main (int argc, char **argv)
{
  gint64 n_records = 100000, step = 10000;
  GOptionEntry entries[] = {
    { "records", 0, 0, G_OPTION_ARG_INT64, &n_records, "records to apply (default 100000)", "N" },
    { "step", 0, 0, G_OPTION_ARG_INT64, &step, "print a line every N records (default 10000)", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- the derived store's cost a record");
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsStore) template = NULL, store = NULL;
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) communities = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autofree char *dir = NULL, *template_path = NULL, *store_path = NULL;
  ClmrsDemoOptions options = { .households = 25, .seed = 7, .until = "2026-06-30" };
  ClmrsDemoReport report = { 0 };
  gint64 applied = 0, bucket_start = 0;
  double t0, c0, total_wall = 0, total_cpu = 0;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    die ("options", error);
  if (n_records < 1000 || step < 1000)
    die ("options: --records and --step >= 1000", NULL);
  g_setenv ("CLMRS_TODAY", "2026-06-30", TRUE);
  dir = g_dir_make_tmp ("bench-derived-XXXXXX", &error);
  if (dir == NULL)
    die ("temporary folder", error);

  template_path = g_build_filename (dir, "template.db", NULL);
  template = clmrs_store_open (template_path, &error);
  if (template == NULL || !clmrs_demo_generate (template, &options, &report, &error))
    die ("template", error);
  if (!bench_template_records (template, lines, communities, NULL, &error))
    die ("template records", error);
  printf ("template: %u households, %u children, %u records a copy\n", report.households, report.children,
          lines->len);
  printf ("%12s %14s %14s\n", "store holds", "wall ms/rec", "CPU ms/rec");
  fflush (stdout);

  store_path = g_build_filename (dir, "derived.db", NULL);
  store = clmrs_store_open (store_path, &error);
  if (store == NULL)
    die ("derived store", error);
  t0 = now_s ();
  c0 = cpu_s ();
  for (guint copy = 0; applied < n_records; copy++)
    for (guint i = 0; i < lines->len && applied < n_records; i++)
      {
        g_autofree char *text = bench_remap_uuids (g_ptr_array_index (lines, i), communities, copy + 1, copy / 2 + 1);
        g_autoptr(JsonNode) node = json_from_string (text, NULL);

        if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
          die ("template line", NULL);
        g_ptr_array_add (page, json_object_ref (json_node_get_object (node)));
        applied++;
        if (page->len == 1000 || applied == n_records)
          {
            g_autofree char *mark = g_strdup_printf ("%" G_GINT64_FORMAT, applied);

            if (!clmrs_pull_apply (store, page, mark, NULL, &error))
              die ("clmrs_pull_apply", error);
            g_ptr_array_set_size (page, 0);
          }
        if (applied % step == 0 || applied == n_records)
          {
            double wall = now_s () - t0, cpu = cpu_s () - c0;
            gint64 n = applied - bucket_start;

            printf ("%12" G_GINT64_FORMAT " %14.3f %14.3f\n", bucket_start, wall * 1000 / n, cpu * 1000 / n);
            fflush (stdout);
            total_wall += wall;
            total_cpu += cpu;
            bucket_start = applied;
            t0 = now_s ();
            c0 = cpu_s ();
          }
      }
  printf ("all %" G_GINT64_FORMAT " records: %.1f s wall, %.1f s CPU\n", applied, total_wall, total_cpu);
  g_clear_pointer (&store, clmrs_store_close);
  g_clear_pointer (&template, clmrs_store_close);
  {
    const char *name;
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);

    while (d != NULL && (name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *path = g_build_filename (dir, name, NULL);
        g_unlink (path);
      }
    g_rmdir (dir);
  }
  return 0;
}
