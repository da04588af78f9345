/* clmrs-startup-report.c: CLMRS_FIELD_REPORT_STARTUP=1 prints time to first frame and resident memory. */
#define G_LOG_DOMAIN "clmrs-startup-report"

#include "config.h"

#include "clmrs-startup-report.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clmrs-home-page.h"
#include "clmrs-window.h"

typedef struct {
  GtkWidget *window;
  gulong     handler;
  gboolean   first_done;
  gboolean   signin_done;
  gboolean   home_done;
} Report;

/* Milliseconds since the process started (the kernel's start time, so the
 * dynamic loader and GTK's own start are counted), or -1. */
static double
ms_since_process_start (void)
{
  g_autofree char *stat = NULL;
  struct timespec now;
  const char *p;
  unsigned long long start_ticks = 0;

  if (!g_file_get_contents ("/proc/self/stat", &stat, NULL, NULL) || (p = strrchr (stat, ')')) == NULL)
    return -1;
  /* after "pid (comm)": field 3 is the state; field 22 the start time in ticks since boot */
  p += 2;
  for (int field = 3; field < 22 && p != NULL; field++)
    {
      p = strchr (p, ' ');
      if (p != NULL)
        p++;
    }
  if (p == NULL || sscanf (p, "%llu", &start_ticks) != 1)
    return -1;
  clock_gettime (CLOCK_BOOTTIME, &now);
  return (now.tv_sec + now.tv_nsec / 1e9 - (double) start_ticks / sysconf (_SC_CLK_TCK)) * 1000;
}

static char *
vm_rss (void)
{
  g_autofree char *status = NULL;
  const char *p;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) || (p = strstr (status, "VmRSS:")) == NULL)
    return g_strdup ("?");
  p += strlen ("VmRSS:");
  while (*p == ' ' || *p == '\t')
    p++;
  return g_strndup (p, strcspn (p, "\n"));
}

static void
print_line (const char *what)
{
  g_autofree char *rss = vm_rss ();

  g_print ("clmrs-field startup: %s after %.0f ms, VmRSS %s\n", what, ms_since_process_start (), rss);
}

static void
after_paint_cb (GdkFrameClock *clock,
                Report        *report)
{
  ClmrsWindow *window = CLMRS_WINDOW (report->window);
  const char *page = clmrs_window_get_page_name (window);

  if (!report->first_done)
    {
      g_autofree char *what = g_strdup_printf ("first frame (%s page)", page);

      report->first_done = TRUE;
      print_line (what);
    }
  if (!report->signin_done && g_strcmp0 (page, "signin") == 0)
    {
      report->signin_done = TRUE;
      print_line ("sign-in page shown");
    }
  if (!report->home_done && g_strcmp0 (page, "home") == 0)
    {
      report->home_done = TRUE;
      print_line ("home page shown (tabs loading)");
    }
  if (g_strcmp0 (page, "home") == 0 &&
      clmrs_home_page_get_n_busy (CLMRS_HOME_PAGE (clmrs_window_get_page (window, "home"))) == 0)
    {
      print_line ("home page loaded (every tab)");
      g_signal_handler_disconnect (clock, report->handler);
      report->handler = 0;
    }
}

static void
realize_cb (GtkWidget *widget,
            Report    *report)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);

  if (clock != NULL && report->handler == 0)
    report->handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), report);
}

static void
report_free (gpointer  data,
             GClosure *closure)
{
  g_free (data);
}

void
clmrs_startup_report_attach (GtkWidget *window)
{
  const char *env = g_getenv ("CLMRS_FIELD_REPORT_STARTUP");
  Report *report;

  g_return_if_fail (CLMRS_IS_WINDOW (window));

  if (env == NULL || *env == '\0' || g_str_equal (env, "0"))
    return;
  report = g_new0 (Report, 1);
  report->window = window;
  g_signal_connect_data (window, "realize", G_CALLBACK (realize_cb), report, report_free, 0);
}
