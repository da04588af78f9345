/* clmrs-sync-page.c: the Sync tab: server reachability, the queue, Sync now with progress, the result. */
#define G_LOG_DOMAIN "clmrs-sync-page"

#include "clmrs-rows-private.h"
#include "clmrs-i18n.h"
#include "config.h"

#include "clmrs-sync-page.h"
#include "clmrs-sync-page-private.h"
#include "clmrs-labels-private.h"

#include "syncstore.h"
#include "util.h"

#include <glib/gi18n.h>

#include "outbox.h"

#include "clmrs-sync-jobs.h"
#include "clmrs-window.h"

#define AUTO_SYNC_RECHECK_SECONDS (10 * 60)
#define NETWORK_SETTLE_SECONDS    2

/* A sync under way, owned by its GTask's callback: the page that shows
 * it can change (clmrs_sync_page_take_sync) while it runs. */
typedef struct {
  ClmrsSyncPage   *page;       /* owned */
  ClmrsSyncReport  so_far;     /* the last progress, to show it again */
  gboolean         reported;
} SyncRun;

struct _ClmrsSyncPage
{
  AdwBin           parent_instance;

  /* Template widgets */
  AdwActionRow    *last_sync_row;
  AdwActionRow    *result_row;
  GtkProgressBar  *progress_bar;
  GtkButton       *sync_button;
  GtkButton       *cancel_button;
  GtkListBox      *queue_list;
  AdwActionRow    *server_row;
  AdwActionRow    *reach_row;
  GtkButton       *check_button;
  GtkStack        *reach_icon;
  GtkSpinner      *reach_spinner;
  AdwActionRow    *enrol_row;

  /* Owned references */
  ClmrsDbWorker   *worker;
  GSettings       *settings;
  GCancellable    *cancellable;       /* reads and health checks, while started */
  GCancellable    *sync_cancellable;  /* non-NULL while a sync runs */
  char            *reach_text;
  gboolean         enrolled;
  gboolean         auto_pending;      /* sync once the health check says yes */
  gint64           queued;
  gint64           queued_at_start;
  guint            n_busy;
  guint            n_progress;
  guint64          max_records;
  SyncRun         *sync_run;          /* borrowed: non-NULL while a sync runs */
  guint            settle_source;
  guint            recheck_source;
  gulong           network_handler;
};

G_DEFINE_FINAL_TYPE (ClmrsSyncPage, clmrs_sync_page, ADW_TYPE_BIN)

static void check_server (ClmrsSyncPage *self);

static void
show_toast (ClmrsSyncPage *self,
            const char    *text)
{
  GtkWidget *window = gtk_widget_get_ancestor (GTK_WIDGET (self), CLMRS_TYPE_WINDOW);

  if (window != NULL)
    clmrs_window_show_toast (CLMRS_WINDOW (window), text);
}

/* The address to use: the one in the preferences, else the enrolment's. */
static char *
server_url (ClmrsSyncPage *self)
{
  return g_settings_get_string (self->settings, "server-url");
}

static void
show_last_sync (ClmrsSyncPage *self)
{
  g_autofree char *last = g_settings_get_string (self->settings, "last-sync");
  g_autofree char *result = g_settings_get_string (self->settings, "last-sync-result");
  g_autoptr(GDateTime) when = *last ? g_date_time_new_from_iso8601 (last, NULL) : NULL;
  g_autofree char *shown = NULL;

  /* kept as a time, said in the language of the moment (text written
     before stays as it was) */
  if (when != NULL)
    shown = clmrs_i18n_format_day_time (when);
  adw_action_row_set_subtitle (self->last_sync_row, shown ? shown : *last ? last : _("Never"));
  adw_action_row_set_subtitle (self->result_row, *result ? result :
                               self->enrolled ? _("No sync yet on this device") :
                               _("This device is not enrolled yet: see Server below."));
}

static void
set_reach (ClmrsSyncPage *self,
           const char    *state,
           const char    *text)
{
  g_free (self->reach_text);
  self->reach_text = g_strdup (text);
  adw_action_row_set_subtitle (self->reach_row, text);
  gtk_stack_set_visible_child_name (self->reach_icon, state);
  gtk_spinner_set_spinning (self->reach_spinner, g_str_equal (state, "checking"));
}

static void
update_buttons (ClmrsSyncPage *self)
{
  gboolean running = self->sync_cancellable != NULL;
  g_autofree char *url = server_url (self);

  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), running);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->sync_button), !running && self->enrolled);
  gtk_widget_set_visible (GTK_WIDGET (self->enrol_row), !self->enrolled);
  adw_action_row_set_subtitle (self->server_row, *url ? url : _("Not enrolled"));
}

/* --- the queue --- */

static void
queue_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(ClmrsSyncPage) self = user_data;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  gint64 queued = 0, bytes = 0, rejected = 0;
  const char *oldest = NULL, *last_error = NULL;
  g_autofree char *size = NULL;
  g_autofree char *count = NULL;
  GtkWidget *row, *child;

  rows = clmrs_db_worker_queue_finish (CLMRS_DB_WORKER (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->n_busy--;
  if (rows == NULL)
    {
      g_message ("Could not read the queue: %s", error->message);
      show_toast (self, _("Could not read the records waiting to be sent"));
      return;
    }
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->queue_list))) != NULL)
    gtk_list_box_remove (self->queue_list, child);
  for (guint i = 0; i < rows->len; i++)
    {
      ClmrsQueueRow *q = g_ptr_array_index (rows, i);

      /* a facilitator's device: their own records, and any left by others */
      queued += q->queued;
      bytes += q->bytes;
      rejected += q->rejected;
      if (q->oldest != NULL && (oldest == NULL || strcmp (q->oldest, oldest) < 0))
        oldest = q->oldest;
      if (q->last_error != NULL)
        last_error = q->last_error;
    }
  self->queued = queued;

  count = g_strdup_printf ("%" G_GINT64_FORMAT, queued);
  row = _clmrs_data_row (_("Records waiting"), NULL);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_label_new (count));
  gtk_list_box_append (self->queue_list, row);

  size = clmrs_i18n_format_size (bytes);
  row = _clmrs_data_row (_("Size before compression"), NULL);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_label_new (size));
  gtk_list_box_append (self->queue_list, row);

  if (oldest != NULL)
    {
      g_autofree char *day = clmrs_i18n_format_day (oldest);
      gint64 days = _clmrs_days_since (oldest);
      GtkWidget *label = gtk_label_new (day);

      row = _clmrs_data_row (_("Oldest waiting since"), NULL);
      /* records kept only here for weeks are one lost handheld away from
         being lost: say so, in words, where the facilitator looks */
      if (days >= CLMRS_SYNC_PAGE_LATE_DAYS)
        {
          g_autofree char *warning = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                                   "Waiting for %d day: sync at the hub as soon as you can",
                                                                   "Waiting for %d days: sync at the hub as soon as you can",
                                                                   (gulong) days), (int) days);

          adw_action_row_set_subtitle (ADW_ACTION_ROW (row), warning);
          gtk_widget_add_css_class (label, "late");
          gtk_widget_add_css_class (row, "waiting-late");
        }
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
      gtk_list_box_append (self->queue_list, row);
    }
  if (rejected > 0)
    {
      g_autofree char *n = g_strdup_printf ("%" G_GINT64_FORMAT, rejected);
      GtkWidget *label = gtk_label_new (n);

      /* each refused record with the server's reason, one tap away */
      row = adw_expander_row_new ();
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Refused by the server"));
      adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), _("Tap to see the reasons; your supervisor sees them too"));
      gtk_widget_add_css_class (label, "late");
      adw_expander_row_add_action (ADW_EXPANDER_ROW (row), label);
      for (guint i = 0; i < rows->len; i++)
        {
          ClmrsQueueRow *q = g_ptr_array_index (rows, i);

          for (guint j = 0; q->rejections != NULL && j < q->rejections->len; j++)
            {
              ClmrsRejection *r = g_ptr_array_index (q->rejections, j);
              /* Translators: a refused record: "Visit 1a2b3c4d", the start of its id */
              g_autofree char *title = g_strdup_printf (_("%s %.8s"), _clmrs_record_type_label (r->type),
                                                        r->record_id ? r->record_id : "");
              GtkWidget *reason = _clmrs_data_row (title, r->reason ? r->reason : _("No reason given"));

              adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (reason), 4);
              adw_expander_row_add_row (ADW_EXPANDER_ROW (row), reason);
            }
        }
      gtk_list_box_append (self->queue_list, row);
    }
  if (last_error != NULL && queued > 0)
    {
      GtkWidget *details = _clmrs_data_row (_("Technical details"), last_error);

      /* in plain words; what the server or libcurl said, for whoever
         supports the facilitator, one tap away */
      row = adw_expander_row_new ();
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("The last try to send them failed"));
      adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), _("They are kept here and sent at the next sync"));
      gtk_widget_add_css_class (row, "last-problem");
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (details), 4);
      adw_expander_row_add_row (ADW_EXPANDER_ROW (row), details);
      gtk_list_box_append (self->queue_list, row);
    }
}

static gpointer
set_aside_job (ClmrsStore    *store,
               gpointer       data,
               GCancellable  *cancellable,
               GError       **error)
{
  return clmrs_pull_list_set_aside (store, error);
}

/* Records received from the server that this device could not apply:
 * kept, tried again at each sync; someone must look at them. */
static void
set_aside_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(ClmrsSyncPage) self = user_data;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *n = NULL;
  GtkWidget *row, *label;

  items = clmrs_db_worker_run_finish (CLMRS_DB_WORKER (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->n_busy--;
  if (items == NULL)
    {
      g_message ("Could not read the records set aside: %s", error->message);
      return;
    }
  if (items->len == 0)
    return;
  n = g_strdup_printf ("%u", items->len);
  label = gtk_label_new (n);
  row = adw_expander_row_new ();
  gtk_widget_set_name (row, "set-aside");
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Received but not applied"));
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row),
                                 _("Kept on this device and tried again at each sync; tell your supervisor"));
  gtk_widget_add_css_class (label, "late");
  adw_expander_row_add_action (ADW_EXPANDER_ROW (row), label);
  for (guint i = 0; i < items->len; i++)
    {
      ClmrsSetAside *a = g_ptr_array_index (items, i);
      g_autofree char *title = g_strdup_printf ("%s %.8s", a->type, a->record_id);
      GtkWidget *reason = _clmrs_data_row (title, a->reason);

      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (reason), 4);
      adw_expander_row_add_row (ADW_EXPANDER_ROW (row), reason);
    }
  gtk_list_box_append (self->queue_list, row);
}

static void
read_queue (ClmrsSyncPage *self)
{
  if (self->worker == NULL || self->cancellable == NULL)
    return;
  self->n_busy += 2;
  clmrs_db_worker_queue_async (self->worker, self->cancellable, queue_cb, g_object_ref (self));
  /* after the queue (the worker runs jobs in order), so its rows come last */
  clmrs_db_worker_run_async (self->worker, set_aside_job, NULL, NULL, (GDestroyNotify) g_ptr_array_unref,
                             self->cancellable, set_aside_cb, g_object_ref (self));
}

/* --- the server --- */

static void
health_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(ClmrsSyncPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *version = clmrs_sync_jobs_check_health_finish (result, &error);
  g_autofree char *text = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->n_busy--;
  gtk_widget_set_sensitive (GTK_WIDGET (self->check_button), TRUE);
  if (version == NULL)
    {
      g_autofree char *why = clmrs_sync_jobs_describe_error (error);

      self->auto_pending = FALSE;
      set_reach (self, "offline", why);
      return;
    }
  if (*version != '\0')
    /* Translators: the server's software version, e.g. "Reachable (CLMRS server 0.4.0)" */
    text = g_strdup_printf (_("Reachable (CLMRS server %s)"), version);
  else
    text = g_strdup (_("Reachable"));
  set_reach (self, "ok", text);
  if (self->auto_pending)
    {
      self->auto_pending = FALSE;
      if (self->enrolled && self->sync_cancellable == NULL && self->queued != 0)
        clmrs_sync_page_sync_now (self);
    }
}

static void
check_server (ClmrsSyncPage *self)
{
  g_autofree char *url = server_url (self);

  if (self->worker == NULL || self->cancellable == NULL)
    return;
  if (*url == '\0' && !self->enrolled)
    {
      set_reach (self, "offline", _("No server yet: enrol this device to send its records."));
      return;
    }
  self->n_busy++;
  gtk_widget_set_sensitive (GTK_WIDGET (self->check_button), FALSE);
  set_reach (self, "checking", _("Checking…"));
  clmrs_sync_jobs_check_health_async (self->worker, url, self->cancellable, health_cb, g_object_ref (self));
}

static void
check_clicked_cb (ClmrsSyncPage *self)
{
  check_server (self);
}

static void
maybe_auto_sync (ClmrsSyncPage *self)
{
  if (!g_settings_get_boolean (self->settings, "auto-sync") || !self->enrolled ||
      self->sync_cancellable != NULL || self->cancellable == NULL)
    return;
  /* the health endpoint first: a network is not always the server */
  self->auto_pending = TRUE;
  check_server (self);
}

static gboolean
network_settled_cb (gpointer user_data)
{
  ClmrsSyncPage *self = user_data;

  self->settle_source = 0;
  if (g_network_monitor_get_network_available (g_network_monitor_get_default ()))
    maybe_auto_sync (self);
  else if (self->cancellable != NULL)
    set_reach (self, "offline", _("No network"));
  return G_SOURCE_REMOVE;
}

static void
network_changed_cb (GNetworkMonitor *monitor,
                    gboolean         available,
                    ClmrsSyncPage   *self)
{
  /* links flap while they come up: wait for the network to settle */
  g_clear_handle_id (&self->settle_source, g_source_remove);
  self->settle_source = g_timeout_add_seconds (NETWORK_SETTLE_SECONDS, network_settled_cb, self);
}

static gboolean
recheck_cb (gpointer user_data)
{
  maybe_auto_sync (user_data);
  return G_SOURCE_CONTINUE;
}

static void
enrolment_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(ClmrsSyncPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsEnrolment) enrolment = clmrs_sync_jobs_read_enrolment_finish (CLMRS_DB_WORKER (source), result, &error);
  g_autofree char *url = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->n_busy--;
  if (enrolment == NULL)
    {
      g_message ("Could not read the enrolment: %s", error->message);
      return;
    }
  self->enrolled = enrolment->enrolled;
  show_last_sync (self);
  url = server_url (self);
  if (*url == '\0' && enrolment->server_url != NULL)
    g_settings_set_string (self->settings, "server-url", enrolment->server_url);
  update_buttons (self);
  if (g_settings_get_boolean (self->settings, "auto-sync"))
    maybe_auto_sync (self);
  else
    check_server (self);
}

/* --- sync --- */

static void
show_progress (ClmrsSyncPage         *self,
               const ClmrsSyncReport *so_far)
{
  guint64 done = so_far->records_sent + so_far->rejected;
  g_autofree char *up = clmrs_i18n_format_size (so_far->bytes_up);
  g_autofree char *down = clmrs_i18n_format_size (so_far->bytes_down);
  g_autofree char *text = NULL;

  if (self->queued_at_start > 0 && done <= (guint64) self->queued_at_start)
    gtk_progress_bar_set_fraction (self->progress_bar, (double) done / self->queued_at_start);
  else
    gtk_progress_bar_pulse (self->progress_bar);
  /* Translators: progress of a sync: "12 of 40 records sent, 3 received · 34 kB up, 12 kB down" */
  text = g_strdup_printf (_("%lu of %lu sent, %lu received · %s up, %s down"),
                          (gulong) done, (gulong) MAX (self->queued_at_start, 0), (gulong) so_far->pulled, up, down);
  gtk_progress_bar_set_text (self->progress_bar, text);
}

static void
sync_progress_cb (const ClmrsSyncReport *so_far,
                  gpointer               user_data)
{
  SyncRun *run = user_data;
  ClmrsSyncPage *self = run->page;
  guint64 done = so_far->records_sent + so_far->rejected;

  run->so_far = *so_far;
  run->reported = TRUE;
  if (done > 0)
    {
      self->n_progress++;
      self->max_records = MAX (self->max_records, done);
    }
  show_progress (self, so_far);
}

static void
sync_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  SyncRun *run = user_data;
  g_autoptr(ClmrsSyncPage) self = g_steal_pointer (&run->page);
  g_autoptr(GError) error = NULL;
  ClmrsSyncReport report = { 0 };
  g_autofree char *summary = NULL;
  g_autofree char *text = NULL;
  gboolean ok;

  g_free (run);
  self->sync_run = NULL;
  ok = clmrs_sync_jobs_run_finish (result, &report, &error);
  g_clear_object (&self->sync_cancellable);
  summary = clmrs_sync_jobs_describe_report (&report);
  if (ok)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      g_autofree char *when = g_date_time_format_iso8601 (now);

      /* Translators: the result of a sync, e.g. "Sync finished: 3 records sent, 12 received" */
      text = g_strdup_printf (_("Sync finished: %s"), summary);
      g_settings_set_string (self->settings, "last-sync", when);
      set_reach (self, "ok", _("Reachable"));
    }
  else
    {
      g_autofree char *why = clmrs_sync_jobs_describe_error (error);

      g_message ("Sync failed: %s", error->message);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
          g_error_matches (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_CANCELLED))
        /* Translators: "Sync cancelled: 3 records sent, 0 received" */
        text = g_strdup_printf (_("Sync cancelled: %s"), summary);
      else
        {
          /* Translators: "Sync failed: 3 records sent, 0 received. The server cannot be reached…" */
          text = g_strdup_printf (_("Sync failed: %s.\n%s"), summary, why);
          if (error->domain == CLMRS_SYNC_ERROR && (error->code == CLMRS_SYNC_ERROR_NETWORK ||
                                                    error->code == CLMRS_SYNC_ERROR_TLS))
            set_reach (self, "offline", why);
        }
    }
  g_settings_set_string (self->settings, "last-sync-result", text);
  show_last_sync (self);
  update_buttons (self);
  {
    /* a toast shows the first line; the Result row keeps all of it */
    g_autofree char *first = g_strndup (text, strcspn (text, "\n"));

    show_toast (self, first);
  }
  /* (when stopped while it ran, the next start reads the queue) */
  read_queue (self);
}

void
clmrs_sync_page_sync_now (ClmrsSyncPage *self)
{
  g_autofree char *url = NULL;
  ClmrsSyncConfig config = { 0 };

  g_return_if_fail (CLMRS_IS_SYNC_PAGE (self));

  if (self->sync_cancellable != NULL || self->worker == NULL)
    return;
  url = server_url (self);
  config.server_url = *url ? url : NULL;
  self->sync_cancellable = g_cancellable_new ();
  self->sync_run = g_new0 (SyncRun, 1);
  self->sync_run->page = g_object_ref (self);
  self->queued_at_start = self->queued;
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_progress_bar_set_text (self->progress_bar, _("Connecting…"));
  adw_action_row_set_subtitle (self->result_row, _("Sending and receiving…"));
  update_buttons (self);
  /* the sync runs on its connection on a thread; progress comes back
   * here, before the result, which owns the run and so the page */
  clmrs_sync_jobs_run_async (self->worker, &config, self->sync_cancellable,
                             sync_progress_cb, self->sync_run, sync_cb, self->sync_run);
}

void
clmrs_sync_page_take_sync (ClmrsSyncPage *self,
                           ClmrsSyncPage *from)
{
  SyncRun *run;

  g_return_if_fail (CLMRS_IS_SYNC_PAGE (self));
  g_return_if_fail (CLMRS_IS_SYNC_PAGE (from));
  g_return_if_fail (self->sync_run == NULL);

  if (from->sync_run == NULL)
    return;
  run = g_steal_pointer (&from->sync_run);
  self->sync_run = run;
  self->sync_cancellable = g_steal_pointer (&from->sync_cancellable);
  self->queued_at_start = from->queued_at_start;
  self->n_progress = from->n_progress;
  self->max_records = from->max_records;
  /* the run holds the page it reports to */
  g_set_object (&run->page, self);

  update_buttons (from);
  update_buttons (self);
  adw_action_row_set_subtitle (self->result_row, _("Sending and receiving…"));
  if (g_cancellable_is_cancelled (self->sync_cancellable))
    {
      gtk_progress_bar_set_text (self->progress_bar, _("Cancelling…"));
      gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), FALSE);
    }
  else
    {
      gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), TRUE);
      if (run->reported)
        show_progress (self, &run->so_far);
      else
        gtk_progress_bar_set_text (self->progress_bar, _("Connecting…"));
    }
}

void
clmrs_sync_page_cancel (ClmrsSyncPage *self)
{
  g_return_if_fail (CLMRS_IS_SYNC_PAGE (self));

  if (self->sync_cancellable == NULL)
    return;
  g_cancellable_cancel (self->sync_cancellable);
  gtk_progress_bar_set_text (self->progress_bar, _("Cancelling…"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), FALSE);
}

static void
sync_clicked_cb (ClmrsSyncPage *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), TRUE);
  clmrs_sync_page_sync_now (self);
}

static void
cancel_clicked_cb (ClmrsSyncPage *self)
{
  clmrs_sync_page_cancel (self);
}

static void
settings_changed_cb (ClmrsSyncPage *self,
                     const char    *key)
{
  if (g_str_equal (key, "server-url"))
    {
      update_buttons (self);
      check_server (self);
    }
  else if (g_str_equal (key, "auto-sync"))
    maybe_auto_sync (self);
}

/* --- the page --- */

void
clmrs_sync_page_start (ClmrsSyncPage *self,
                       ClmrsDbWorker *worker)
{
  g_return_if_fail (CLMRS_IS_SYNC_PAGE (self));
  g_return_if_fail (CLMRS_IS_DB_WORKER (worker));

  clmrs_sync_page_stop (self);
  self->cancellable = g_cancellable_new ();
  g_set_object (&self->worker, worker);
  self->queued = -1;
  show_last_sync (self);
  update_buttons (self);
  read_queue (self);
  self->n_busy++;
  clmrs_sync_jobs_read_enrolment_async (worker, self->cancellable, enrolment_cb, g_object_ref (self));
  self->network_handler = g_signal_connect (g_network_monitor_get_default (), "network-changed",
                                            G_CALLBACK (network_changed_cb), self);
  self->recheck_source = g_timeout_add_seconds (AUTO_SYNC_RECHECK_SECONDS, recheck_cb, self);
}

void
clmrs_sync_page_stop (ClmrsSyncPage *self)
{
  g_return_if_fail (CLMRS_IS_SYNC_PAGE (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->n_busy = 0;
  self->auto_pending = FALSE;
  g_clear_signal_handler (&self->network_handler, g_network_monitor_get_default ());
  g_clear_handle_id (&self->settle_source, g_source_remove);
  g_clear_handle_id (&self->recheck_source, g_source_remove);
  if (self->reach_spinner != NULL)
    gtk_spinner_set_spinning (self->reach_spinner, FALSE);
  if (self->check_button != NULL)
    gtk_widget_set_sensitive (GTK_WIDGET (self->check_button), TRUE);
}

gboolean
clmrs_sync_page_get_running (ClmrsSyncPage *self)
{
  g_return_val_if_fail (CLMRS_IS_SYNC_PAGE (self), FALSE);

  return self->sync_cancellable != NULL;
}

guint
clmrs_sync_page_get_n_busy (ClmrsSyncPage *self)
{
  g_return_val_if_fail (CLMRS_IS_SYNC_PAGE (self), 0);

  return self->n_busy;
}

gint64
clmrs_sync_page_get_queued (ClmrsSyncPage *self)
{
  g_return_val_if_fail (CLMRS_IS_SYNC_PAGE (self), -1);

  return self->queued;
}

guint
clmrs_sync_page_get_n_progress (ClmrsSyncPage *self,
                                guint64       *max_records)
{
  g_return_val_if_fail (CLMRS_IS_SYNC_PAGE (self), 0);

  if (max_records != NULL)
    *max_records = self->max_records;
  return self->n_progress;
}

const char *
clmrs_sync_page_get_result (ClmrsSyncPage *self)
{
  g_return_val_if_fail (CLMRS_IS_SYNC_PAGE (self), NULL);

  return adw_action_row_get_subtitle (self->result_row);
}

const char *
clmrs_sync_page_get_reach (ClmrsSyncPage *self)
{
  g_return_val_if_fail (CLMRS_IS_SYNC_PAGE (self), NULL);

  return self->reach_text;
}

GtkListBox *
clmrs_sync_page_get_queue_list (ClmrsSyncPage *self)
{
  g_return_val_if_fail (CLMRS_IS_SYNC_PAGE (self), NULL);

  return self->queue_list;
}

GtkWidget *
clmrs_sync_page_get_widget (ClmrsSyncPage *self,
                            const char    *name)
{
  g_return_val_if_fail (CLMRS_IS_SYNC_PAGE (self), NULL);

  if (g_strcmp0 (name, "sync") == 0)
    return GTK_WIDGET (self->sync_button);
  if (g_strcmp0 (name, "cancel") == 0)
    return GTK_WIDGET (self->cancel_button);
  if (g_strcmp0 (name, "progress") == 0)
    return GTK_WIDGET (self->progress_bar);
  if (g_strcmp0 (name, "queue") == 0)
    return GTK_WIDGET (self->queue_list);
  if (g_strcmp0 (name, "last-sync") == 0)
    return GTK_WIDGET (self->last_sync_row);
  return NULL;
}

static void
clmrs_sync_page_dispose (GObject *object)
{
  ClmrsSyncPage *self = (ClmrsSyncPage *) object;

  clmrs_sync_page_stop (self);
  /* a running sync holds the page; this runs only after it ended */
  g_clear_object (&self->sync_cancellable);
  g_clear_object (&self->worker);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (clmrs_sync_page_parent_class)->dispose (object);
}

static void
clmrs_sync_page_finalize (GObject *object)
{
  ClmrsSyncPage *self = (ClmrsSyncPage *) object;

  g_free (self->reach_text);

  G_OBJECT_CLASS (clmrs_sync_page_parent_class)->finalize (object);
}

static void
clmrs_sync_page_class_init (ClmrsSyncPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = clmrs_sync_page_dispose;
  object_class->finalize = clmrs_sync_page_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/clmrs/Field/clmrs-sync-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ClmrsSyncPage, last_sync_row);
  gtk_widget_class_bind_template_child (widget_class, ClmrsSyncPage, result_row);
  gtk_widget_class_bind_template_child (widget_class, ClmrsSyncPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, ClmrsSyncPage, sync_button);
  gtk_widget_class_bind_template_child (widget_class, ClmrsSyncPage, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, ClmrsSyncPage, queue_list);
  gtk_widget_class_bind_template_child (widget_class, ClmrsSyncPage, server_row);
  gtk_widget_class_bind_template_child (widget_class, ClmrsSyncPage, reach_row);
  gtk_widget_class_bind_template_child (widget_class, ClmrsSyncPage, check_button);
  gtk_widget_class_bind_template_child (widget_class, ClmrsSyncPage, reach_icon);
  gtk_widget_class_bind_template_child (widget_class, ClmrsSyncPage, reach_spinner);
  gtk_widget_class_bind_template_child (widget_class, ClmrsSyncPage, enrol_row);
  gtk_widget_class_bind_template_callback (widget_class, sync_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, check_clicked_cb);
}

static void
clmrs_sync_page_init (ClmrsSyncPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* the progress in words, whole at a phone's width ("763 of 6220 sent,
     0 received · 93.6 kB up, 280 bytes d…") */
  _clmrs_wrap_labels_under (GTK_WIDGET (self->progress_bar));

  self->queued = -1;
  self->settings = g_settings_new ("org.clmrs.Field");
  g_signal_connect_object (self->settings, "changed", G_CALLBACK (settings_changed_cb), self, G_CONNECT_SWAPPED);
  set_reach (self, "offline", _("Not checked yet"));
  show_last_sync (self);
  update_buttons (self);
}

GtkWidget *
clmrs_sync_page_new (void)
{
  return g_object_new (CLMRS_TYPE_SYNC_PAGE, NULL);
}
