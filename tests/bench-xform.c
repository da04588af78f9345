/* bench-xform.c: the forms engine's side of the ODK Web Forms comparison (tests/bench/bench-xform-odk.mjs). */
#include "xform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

/*
 * bench-xform large FORM
 *   load FORM and start a filling; add 3 instances to every repeat the form
 *   lets the user add and answer each one's first question with 3; answer
 *   every section's q1 with 5; switch to the second itext language and
 *   read every prompt (labels, hints, choices).
 * bench-xform filter FORM MEDIA_DIR
 *   load FORM with its media files and start a filling; 20 times: answer
 *   /data/coop with a cooperative and read the farmers the choice filter
 *   leaves (100 of a 10,000-row CSV).
 *
 * Prints one JSON object: the milliseconds of each step, the resident
 * memory before loading and at its peak (kB), and a check figure both
 * engines must agree on.  The same steps are run on ODK Web Forms' engine
 * by tests/bench/bench-xform-odk.mjs, which runs this program too.
 */

static long
rss_now_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmRSS:");
  return line != NULL ? strtol (line + 6, NULL, 10) : -1;
}

static long
rss_peak_kb (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

static ClmrsFormSession *
start (const char  *path,
       const char  *media_dir,
       ClmrsForm  **form_out)
{
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;
  ClmrsForm *form;
  ClmrsFormSession *session;

  if (!g_file_get_contents (path, &data, &length, &error))
    g_error ("%s", error->message);
  form = clmrs_form_load_full (data, length, path, media_dir ? clmrs_form_media_from_dir : NULL,
                               (gpointer) media_dir, NULL, &error);
  if (form == NULL)
    g_error ("%s", error->message);
  session = clmrs_form_session_new (form, &error);
  if (session == NULL)
    g_error ("%s", error->message);
  *form_out = form;
  return session;
}

static void
answer (ClmrsFormSession *session,
        const char       *ref,
        const char       *value)
{
  g_autoptr(GError) error = NULL;

  if (!clmrs_form_session_set_answer (session, ref, value, &error))
    g_error ("%s", error->message);
}

static int
bench_large (const char *path)
{
  long rss_start = rss_now_kb ();
  gint64 t0 = g_get_monotonic_time ();
  g_autoptr(ClmrsForm) form = NULL;
  g_autoptr(ClmrsFormSession) session = start (path, NULL, &form);
  g_autoptr(GPtrArray) outline = NULL;
  g_autoptr(GPtrArray) prompts = NULL;
  g_autoptr(GPtrArray) repeats = g_ptr_array_new_with_free_func (g_free);
  double load_ms, fill_ms, read_ms;
  gint64 t1;
  guint labelled = 0;
  gsize label_chars = 0;

  load_ms = ms_since (t0);

  t1 = g_get_monotonic_time ();
  outline = clmrs_form_session_get_outline (session);
  for (guint i = 0; i < outline->len; i++)
    {
      ClmrsPrompt *prompt = outline->pdata[i];
      if (prompt->kind == CLMRS_PROMPT_REPEAT_ADD)
        g_ptr_array_add (repeats, g_strdup (prompt->ref));
    }
  for (guint r = 0; r < repeats->len; r++)
    for (int k = 0; k < 3; k++)
      {
        g_autoptr(GError) error = NULL;
        g_autofree char *instance = clmrs_form_session_add_repeat (session, repeats->pdata[r], &error);
        g_autofree char *ref = NULL;

        if (instance == NULL)
          g_error ("%s", error->message);
        ref = g_strdup_printf ("%s/rq1", instance);
        answer (session, ref, "3");
      }
  for (int s = 1;; s++)
    {
      g_autofree char *ref = g_strdup_printf ("/data/s%d/q1", s);
      g_autoptr(GError) error = NULL;

      /* every section's q1, until the form has no more sections */
      if (!clmrs_form_session_set_answer (session, ref, "5", &error))
        break;
    }
  fill_ms = ms_since (t1);

  t1 = g_get_monotonic_time ();
  clmrs_form_session_set_language (session, "fr");
  prompts = clmrs_form_session_get_prompts (session);
  for (guint i = 0; i < prompts->len; i++)
    {
      ClmrsPrompt *prompt = prompts->pdata[i];
      if (prompt->kind == CLMRS_PROMPT_QUESTION && prompt->label != NULL)
        {
          labelled++;
          label_chars += strlen (prompt->label);
        }
      for (guint c = 0; prompt->choices != NULL && c < prompt->choices->len; c++)
        label_chars += strlen (((ClmrsChoice *) prompt->choices->pdata[c])->label);
    }
  read_ms = ms_since (t1);

  printf ("{\"engine\": \"clmrs\", \"work\": \"large\", \"load_ms\": %.2f, \"fill_ms\": %.2f, \"read_ms\": %.2f, "
          "\"total_ms\": %.2f, \"rss_start_kb\": %ld, \"rss_peak_kb\": %ld, \"check\": %u}\n",
          load_ms, fill_ms, read_ms, ms_since (t0), rss_start, rss_peak_kb (), labelled);
  return 0;
}

static int
bench_filter (const char *path,
              const char *media_dir)
{
  long rss_start = rss_now_kb ();
  gint64 t0 = g_get_monotonic_time ();
  g_autoptr(ClmrsForm) form = NULL;
  g_autoptr(ClmrsFormSession) session = start (path, media_dir, &form);
  double load_ms, filter_ms;
  guint total = 0;
  gint64 t1;

  load_ms = ms_since (t0);
  t1 = g_get_monotonic_time ();
  for (int r = 0; r < 20; r++)
    {
      g_autofree char *coop = g_strdup_printf ("c%d", r * 7 % 100);
      g_autoptr(GPtrArray) prompts = NULL;

      answer (session, "/data/coop", coop);
      prompts = clmrs_form_session_get_prompts (session);
      for (guint i = 0; i < prompts->len; i++)
        {
          ClmrsPrompt *prompt = prompts->pdata[i];
          if (g_str_equal (prompt->ref, "/data/farmer"))
            total += prompt->choices->len;
        }
    }
  filter_ms = ms_since (t1);
  printf ("{\"engine\": \"clmrs\", \"work\": \"filter\", \"load_ms\": %.2f, \"filter_ms\": %.2f, "
          "\"total_ms\": %.2f, \"rss_start_kb\": %ld, \"rss_peak_kb\": %ld, \"check\": %u}\n",
          load_ms, filter_ms, ms_since (t0), rss_start, rss_peak_kb (), total);
  return 0;
}

int
main (int    argc,
      char **argv)
{
  if (argc == 3 && g_str_equal (argv[1], "large"))
    return bench_large (argv[2]);
  if (argc == 4 && g_str_equal (argv[1], "filter"))
    return bench_filter (argv[2], argv[3]);
  fprintf (stderr, "usage: bench-xform large FORM | bench-xform filter FORM MEDIA_DIR\n"
                   "(run through tests/bench/bench-xform-odk.mjs; see docs/benchmarks.md)\n");
  return 2;
}
