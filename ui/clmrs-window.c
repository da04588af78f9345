/* clmrs-window.c: the main window: loading, sign in, home or supervisor, the visit wizard. */
#define G_LOG_DOMAIN "clmrs-window"

#include "config.h"

#include "clmrs-window.h"
#include "clmrs-i18n.h"

#include <glib/gi18n.h>

#include "clmrs-enrol-page.h"
#include "clmrs-home-page.h"
#include "clmrs-household-page.h"
#include "clmrs-preferences.h"
#include "clmrs-add-person-dialog.h"
#include "clmrs-record-view.h"
#include "clmrs-rows-private.h"
#include "clmrs-signin-page.h"
#include "clmrs-startup-report.h"
#include "clmrs-supervisor-page.h"
#include "clmrs-sync-jobs.h"
#include "clmrs-sync-page.h"
#include "clmrs-visit-wizard.h"

struct _ClmrsWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template widgets */
  GtkWidget            *demo_banner;
  GtkStack             *stack;
  AdwStatusPage        *loading_status;
  GtkProgressBar       *loading_progress;
  AdwStatusPage        *error_status;
  ClmrsEnrolPage       *enrol_page;
  ClmrsSigninPage      *signin_page;
  ClmrsHomePage        *home_page;
  ClmrsHouseholdPage   *household_page;
  ClmrsSupervisorPage  *supervisor_page;
  ClmrsVisitWizard     *visit_wizard;
  AdwWindowTitle       *record_title;
  ClmrsRecordView      *record_view;
  ClmrsSyncPage        *sync_page;       /* a supervisor's; a facilitator's is on the home page */

  /* Owned references */
  ClmrsDbWorker        *worker;
  GCancellable         *cancellable;
  char                 *person_id;
  char                 *person_name;
  char                 *person_sex;
  char                 *form_language;
  gboolean              supervisor;
  gboolean              from_household;  /* the visit or record shown was opened from the household page */
  gint64                last_input;
  guint                 lock_seconds;
  guint                 lock_source;
  char                 *last_toast;
  gint64                last_toast_at;
};

G_DEFINE_FINAL_TYPE (ClmrsWindow, clmrs_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_PAGE_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* how long a toast stays */
#define TOAST_SECONDS 3

/* what a toast takes around its title in libadwaita 1.2 (its margins,
   padding and close button), measured at 360 px, with some slack */
#define TOAST_CHROME_PX 132

/* a window built again shows a toast this recent once more */
#define TOAST_CARRIED_USEC (4 * G_USEC_PER_SEC)

static void open_database (ClmrsWindow *self);

void
clmrs_window_show_toast (ClmrsWindow *self,
                         const char  *text)
{
  g_autofree char *escaped = NULL;
  AdwToastOverlay *overlay;
  GtkWidget *title;
  AdwToast *toast;
  int room;

  g_return_if_fail (CLMRS_IS_WINDOW (self));
  g_return_if_fail (text != NULL);

  /* toast titles are markup in libadwaita 1.2 (STYLE trap 1) */
  escaped = g_markup_escape_text (text, -1);
  g_free (self->last_toast);
  self->last_toast = g_strdup (text);
  self->last_toast_at = g_get_monotonic_time ();
  /* short-lived: a toast left over the next page hides its buttons and
     takes the first tap (dismissing it early crashes libadwaita 1.2's
     animation, so it goes by its timeout) */
  toast = adw_toast_new (escaped);
  adw_toast_set_timeout (toast, TOAST_SECONDS);
  /* on the page shown, which keeps it: a toast of the household page does
     not follow Back to home, over its tab bar; on the home page, above
     that tab bar, not over it */
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "home") == 0)
    overlay = clmrs_home_page_get_toast_overlay (self->home_page);
  else
    overlay = ADW_TOAST_OVERLAY (gtk_stack_get_visible_child (self->stack));
  /* a title that wraps: libadwaita's own is one line, cut at a phone's
     width ("Saved, to send at the next s…"); the toast gives its title its
     natural width whatever room it has, so that width is bounded by the
     room the overlay leaves */
  title = gtk_label_new (text);
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (title), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_justify (GTK_LABEL (title), GTK_JUSTIFY_CENTER);
  gtk_widget_add_css_class (title, "heading");
  gtk_widget_add_css_class (title, "toast-title");
  room = gtk_widget_get_width (GTK_WIDGET (overlay)) - TOAST_CHROME_PX;
  if (room > 0)
    {
      PangoFontMetrics *metrics = pango_context_get_metrics (gtk_widget_get_pango_context (title), NULL, NULL);
      int char_width = pango_font_metrics_get_approximate_char_width (metrics);

      pango_font_metrics_unref (metrics);
      if (char_width > 0)
        gtk_label_set_max_width_chars (GTK_LABEL (title), MAX (8, room * PANGO_SCALE / char_width));
    }
  adw_toast_set_custom_title (toast, title);
  adw_toast_overlay_add_toast (overlay, toast);
}

ClmrsDbWorker *
clmrs_window_get_worker (ClmrsWindow *self)
{
  g_return_val_if_fail (CLMRS_IS_WINDOW (self), NULL);

  return self->worker;
}

const char *
clmrs_window_get_person_id (ClmrsWindow *self)
{
  g_return_val_if_fail (CLMRS_IS_WINDOW (self), NULL);

  return self->person_id;
}

const char *
clmrs_window_get_page_name (ClmrsWindow *self)
{
  g_return_val_if_fail (CLMRS_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

GtkWidget *
clmrs_window_get_page (ClmrsWindow *self,
                       const char  *name)
{
  GtkWidget *overlay;

  g_return_val_if_fail (CLMRS_IS_WINDOW (self), NULL);

  overlay = gtk_stack_get_child_by_name (self->stack, name);
  /* each page is in its toast overlay (clmrs-window.ui) */
  return overlay != NULL ? adw_toast_overlay_get_child (ADW_TOAST_OVERLAY (overlay)) : NULL;
}

gboolean
clmrs_window_get_supervisor (ClmrsWindow *self)
{
  g_return_val_if_fail (CLMRS_IS_WINDOW (self), FALSE);

  return self->person_id != NULL && self->supervisor;
}

static void
people_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(ClmrsWindow) self = user_data;
  g_autoptr(GPtrArray) people = NULL;
  g_autoptr(GError) error = NULL;

  people = clmrs_db_worker_list_people_finish (CLMRS_DB_WORKER (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (people == NULL)
    {
      adw_status_page_set_description (self->error_status, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
      return;
    }
  clmrs_signin_page_set_people (self->signin_page, people);
  /* the names are also loaded behind a signed-in person (a rebuilt window),
     ready for when they sign out or the lock comes */
  if (self->person_id == NULL)
    gtk_stack_set_visible_child_name (self->stack, "signin");
}

static void
show_enrol_page (ClmrsWindow *self)
{
  clmrs_enrol_page_reset (self->enrol_page, self->worker);
  gtk_stack_set_visible_child_name (self->stack, "enrol");
}

static void
enrolment_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(ClmrsWindow) self = user_data;
  g_autoptr(ClmrsEnrolment) enrolment = NULL;
  g_autoptr(GError) error = NULL;
  ClmrsApplication *app = CLMRS_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));

  enrolment = clmrs_sync_jobs_read_enrolment_finish (CLMRS_DB_WORKER (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (enrolment != NULL && !enrolment->enrolled && app != NULL &&
      !g_settings_get_boolean (clmrs_application_get_settings (app), "work-offline"))
    {
      show_enrol_page (self);
      return;
    }
  clmrs_db_worker_list_people_async (self->worker, self->cancellable, people_cb, g_object_ref (self));
}

static void
enrol_done_cb (ClmrsWindow *self,
               gboolean     enrolled)
{
  if (enrolled)
    clmrs_window_show_toast (self, _("This device is enrolled. Visits are sent when you sync."));
  if (self->person_id != NULL && !self->supervisor)
    {
      /* enrolled from the Sync tab: back to it */
      clmrs_home_page_start (self->home_page, self->worker, self->person_id, self->person_name);
      clmrs_home_page_set_tab (self->home_page, "sync");
      gtk_stack_set_visible_child_name (self->stack, "home");
      return;
    }
  if (self->person_id != NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "supervisor");
      return;
    }
  clmrs_db_worker_list_people_async (self->worker, self->cancellable, people_cb, g_object_ref (self));
}

static void
open_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(ClmrsWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean demo = FALSE;

  if (!clmrs_db_worker_open_finish (CLMRS_DB_WORKER (source), result, &demo, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_message ("Cannot open the database: %s", error->message);
      adw_status_page_set_description (self->error_status, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
      return;
    }
  /* told by the database, not the option: demo data opened without --demo
     shows as a demo too */
  gtk_widget_set_visible (self->demo_banner, demo);
  clmrs_signin_page_set_worker (self->signin_page, self->worker);
  /* first run: enrol the device, unless the user chose to work offline */
  clmrs_sync_jobs_read_enrolment_async (self->worker, self->cancellable, enrolment_cb, g_object_ref (self));
}

static void
demo_progress_cb (guint    done,
                  guint    total,
                  gpointer user_data)
{
  ClmrsWindow *self = user_data;
  g_autofree char *text = NULL;

  if (total == 0)
    return;
  /* Translators: progress while the demo database is made, e.g. "120 of 300 households" */
  text = g_strdup_printf (_("%u of %u households"), done, total);
  adw_status_page_set_description (self->loading_status, _("Making the demonstration database. This happens once."));
  gtk_progress_bar_set_fraction (self->loading_progress, (double) done / total);
  gtk_progress_bar_set_text (self->loading_progress, text);
}

/* The case rules as the preferences say (the follow-up interval). */
static void
set_case_config (ClmrsWindow *self)
{
  ClmrsApplication *app = CLMRS_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  ClmrsCaseConfig config;
  g_autoptr(GError) error = NULL;

  /* the programme's case rules, with the interval the supervisor chose */
  if (!clmrs_case_config_load_programme (&config, &error))
    g_critical ("the shipped case rules do not load: %s", error->message);
  clmrs_case_config_set_interval (&config, MAX (1, g_settings_get_uint (clmrs_application_get_settings (app),
                                                                        "follow-up-interval-months")));
  clmrs_db_worker_set_case_config (self->worker, &config);
}

static void
cases_refreshed_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(ClmrsWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!clmrs_db_worker_refresh_cases_finish (CLMRS_DB_WORKER (source), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        clmrs_window_show_toast (self, _("Could not compute the follow-ups again"));
      return;
    }
  /* the follow-ups due and the indicators, read again */
  if (self->person_id != NULL && !self->supervisor &&
      g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "home") == 0)
    clmrs_home_page_start (self->home_page, self->worker, self->person_id, self->person_name);
}

static void
interval_changed_cb (ClmrsWindow *self)
{
  if (self->worker == NULL)
    return;
  set_case_config (self);
  clmrs_db_worker_refresh_cases_async (self->worker, self->cancellable, cases_refreshed_cb, g_object_ref (self));
}

static void
open_database (ClmrsWindow *self)
{
  ClmrsApplication *app = CLMRS_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));

  if (self->worker == NULL)
    {
      self->worker = clmrs_db_worker_new (clmrs_application_get_db_path (app));
      g_signal_connect_object (clmrs_application_get_settings (app), "changed::follow-up-interval-months",
                               G_CALLBACK (interval_changed_cb), self, G_CONNECT_SWAPPED);
    }
  set_case_config (self);
  gtk_progress_bar_set_fraction (self->loading_progress, 0);
  gtk_progress_bar_set_text (self->loading_progress, "");
  gtk_stack_set_visible_child_name (self->stack, "loading");
  /* progress calls are queued before the result, which holds the window */
  clmrs_db_worker_open_async (self->worker,
                              clmrs_application_get_demo (app) ? clmrs_application_get_demo_households (app) : 0,
                              demo_progress_cb, self, self->cancellable,
                              open_cb, g_object_ref (self));
}

static void
retry_clicked_cb (ClmrsWindow *self)
{
  open_database (self);
}

static void
signed_in_cb (ClmrsWindow *self,
              const char  *person_id,
              const char  *person_name,
              const char  *person_sex,
              gboolean     supervisor)
{
  g_free (self->person_sex);
  self->person_sex = g_strdup (person_sex);
  g_free (self->person_id);
  self->person_id = g_strdup (person_id);
  g_free (self->person_name);
  self->person_name = g_strdup (person_name);
  self->supervisor = supervisor;
  self->last_input = g_get_monotonic_time ();

  if (supervisor)
    {
      clmrs_supervisor_page_start (self->supervisor_page, self->worker, person_id, person_name);
      gtk_stack_set_visible_child_name (self->stack, "supervisor");
    }
  else
    {
      clmrs_home_page_start (self->home_page, self->worker, person_id, person_name);
      gtk_stack_set_visible_child_name (self->stack, "home");
    }
}

const char *
clmrs_window_get_form_language (ClmrsWindow *self)
{
  ClmrsApplication *app;
  g_autofree char *language = NULL;

  g_return_val_if_fail (CLMRS_IS_WINDOW (self), NULL);

  app = CLMRS_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  language = app ? g_settings_get_string (clmrs_application_get_settings (app), "language") : g_strdup ("");
  if (*language == '\0')
    {
      g_free (language);
      /* Translators: the code of the questionnaires' language to use with this
         translation: "fr" in French */
      language = g_strdup (C_("form-language", "en"));
    }
  g_free (self->form_language);
  self->form_language = g_steal_pointer (&language);
  return self->form_language;
}

void
clmrs_window_open_visit (ClmrsWindow             *self,
                         const ClmrsVisitRequest *request)
{
  g_return_if_fail (CLMRS_IS_WINDOW (self));
  g_return_if_fail (request != NULL);

  if (self->person_id == NULL || self->supervisor)
    return;
  self->from_household = g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "household") == 0;
  clmrs_visit_wizard_start (self->visit_wizard, self->worker, request, self->person_id,
                            self->person_name, self->person_sex, clmrs_window_get_form_language (self));
  gtk_stack_set_visible_child_name (self->stack, "visit");
}

void
clmrs_window_open_record (ClmrsWindow *self,
                          const char  *visit_id)
{
  g_return_if_fail (CLMRS_IS_WINDOW (self));
  g_return_if_fail (visit_id != NULL);

  if (self->person_id == NULL)
    return;
  self->from_household = g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "household") == 0;
  adw_window_title_set_title (self->record_title, _("Visit"));
  adw_window_title_set_subtitle (self->record_title, "");
  clmrs_record_view_load (self->record_view, self->worker, visit_id, clmrs_window_get_form_language (self));
  gtk_stack_set_visible_child_name (self->stack, "record");
}

static void
record_loaded_cb (ClmrsWindow *self)
{
  const ClmrsVisitSummary *visit = clmrs_record_view_get_visit (self->record_view);
  g_autofree char *day = clmrs_i18n_format_day (visit->visit_date);

  adw_window_title_set_title (self->record_title, visit->household ? visit->household
                                                  : visit->community ? visit->community : _("Visit"));
  adw_window_title_set_subtitle (self->record_title, day);
}

/* "Start a corrected visit" on a returned visit: the wizard opens a draft
 * filled from it (the same draft again if one was started). */
static void
record_correct_cb (ClmrsWindow *self,
                   const char  *visit_id)
{
  g_autofree char *id = g_strdup (visit_id);
  ClmrsVisitRequest request = { .corrects = id };

  clmrs_record_view_clear (self->record_view);
  clmrs_window_open_visit (self, &request);
}

static void
record_back_clicked_cb (ClmrsWindow *self)
{
  clmrs_record_view_clear (self->record_view);
  if (self->person_id != NULL && self->from_household)
    {
      gtk_stack_set_visible_child_name (self->stack, "household");
      return;
    }
  gtk_stack_set_visible_child_name (self->stack, self->person_id == NULL ? "signin"
                                                 : self->supervisor ? "supervisor" : "home");
}

void
clmrs_window_open_household (ClmrsWindow *self,
                             const char  *household_id)
{
  g_return_if_fail (CLMRS_IS_WINDOW (self));
  g_return_if_fail (household_id != NULL);

  if (self->person_id == NULL || self->supervisor)
    return;
  clmrs_household_page_load (self->household_page, self->worker, household_id,
                             clmrs_window_get_form_language (self));
  gtk_stack_set_visible_child_name (self->stack, "household");
}

static void
household_back_cb (ClmrsWindow *self)
{
  clmrs_household_page_clear (self->household_page);
  self->from_household = FALSE;
  gtk_stack_set_visible_child_name (self->stack, self->person_id == NULL ? "signin" : "home");
}

/* Opens the visit wizard with @form_id for the signed-in facilitator. */
void
clmrs_window_start_visit (ClmrsWindow *self,
                          const char  *form_id,
                          const char  *household_id)
{
  ClmrsVisitRequest request = { .form_id = form_id, .household_id = household_id };

  g_return_if_fail (CLMRS_IS_WINDOW (self));
  g_return_if_fail (form_id != NULL);

  clmrs_window_open_visit (self, &request);
}

static void
visit_done_cb (ClmrsWindow *self,
               gboolean     finalised)
{
  g_autofree char *tab = NULL;
  gboolean discarded = clmrs_visit_wizard_get_discarded (self->visit_wizard);

  clmrs_visit_wizard_stop (self->visit_wizard);
  if (self->person_id == NULL)
    return;
  /* back on the tab the visit was started from (a follow-up: Follow-ups) */
  tab = g_strdup (clmrs_home_page_get_tab (self->home_page));
  clmrs_home_page_start (self->home_page, self->worker, self->person_id, self->person_name);
  if (tab != NULL)
    clmrs_home_page_set_tab (self->home_page, tab);
  if (self->from_household && clmrs_household_page_get_household_id (self->household_page) != NULL)
    {
      /* back where the visit was started, with the visit in its history */
      clmrs_household_page_reload (self->household_page);
      gtk_stack_set_visible_child_name (self->stack, "household");
    }
  else
    gtk_stack_set_visible_child_name (self->stack, "home");
  if (finalised)
    clmrs_window_show_toast (self, _("Saved, to send at the next sync"));
  else if (discarded)
    clmrs_window_show_toast (self, _("Closed: nothing had been answered"));
  else
    clmrs_window_show_toast (self, _("Kept as a draft, to finish later"));
}

/* The preferences and Add Someone open over this window: what they offer
 * depends on who is signed in, so they close with the session. */
static void
close_preferences (ClmrsWindow *self)
{
  GList *toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if ((CLMRS_IS_PREFERENCES (l->data) || CLMRS_IS_ADD_PERSON_DIALOG (l->data)) &&
        gtk_window_get_transient_for (l->data) == GTK_WINDOW (self))
      gtk_window_destroy (l->data);
  g_list_free (toplevels);
}

/* Signs the person out; @by_inactivity: the lock did it, not they. */
static void
lock_window (ClmrsWindow *self,
             gboolean     by_inactivity)
{
  if (self->person_id == NULL)
    return;
  if (self->worker != NULL)
    clmrs_db_worker_sign_out (self->worker, by_inactivity);
  g_clear_pointer (&self->person_id, g_free);
  g_clear_pointer (&self->person_name, g_free);
  g_clear_pointer (&self->person_sex, g_free);
  self->supervisor = FALSE;
  clmrs_home_page_stop (self->home_page);
  clmrs_household_page_clear (self->household_page);
  self->from_household = FALSE;
  clmrs_supervisor_page_stop (self->supervisor_page);
  clmrs_sync_page_stop (self->sync_page);
  clmrs_visit_wizard_stop (self->visit_wizard);
  clmrs_signin_page_reset (self->signin_page);
  close_preferences (self);
  gtk_stack_set_visible_child_name (self->stack, "signin");
  /* a sync may have brought people, or disabled some */
  clmrs_db_worker_list_people_async (self->worker, self->cancellable, people_cb, g_object_ref (self));
}

void
clmrs_window_lock (ClmrsWindow *self)
{
  g_return_if_fail (CLMRS_IS_WINDOW (self));

  lock_window (self, FALSE);
}

static gboolean
check_idle_cb (gpointer user_data)
{
  ClmrsWindow *self = user_data;
  gint64 idle = g_get_monotonic_time () - self->last_input;

  if (self->person_id != NULL && idle >= (gint64) self->lock_seconds * G_USEC_PER_SEC)
    {
      lock_window (self, TRUE);
      clmrs_window_show_toast (self, _("Signed out: 5 min without use"));
    }
  return G_SOURCE_CONTINUE;
}

void
clmrs_window_set_lock_seconds (ClmrsWindow *self,
                               guint        seconds)
{
  g_return_if_fail (CLMRS_IS_WINDOW (self));
  g_return_if_fail (seconds > 0);

  self->lock_seconds = seconds;
  g_clear_handle_id (&self->lock_source, g_source_remove);
  self->lock_source = g_timeout_add_seconds (MIN (seconds, 5), check_idle_cb, self);
}

static gboolean
input_cb (GtkEventControllerLegacy *controller,
          GdkEvent                 *event,
          ClmrsWindow              *self)
{
  switch ((int) gdk_event_get_event_type (event))
    {
    case GDK_BUTTON_PRESS:
    case GDK_KEY_PRESS:
    case GDK_TOUCH_BEGIN:
    case GDK_TOUCH_UPDATE:
    case GDK_SCROLL:
    case GDK_MOTION_NOTIFY:
      self->last_input = g_get_monotonic_time ();
      break;
    default:
      break;
    }
  return GDK_EVENT_PROPAGATE;
}

static void
sign_out_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  clmrs_window_lock (CLMRS_WINDOW (widget));
}

/* The menu's Sync: a facilitator's Sync tab, or a supervisor's own page. */
static void
show_sync_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ClmrsWindow *self = CLMRS_WINDOW (widget);

  if (self->worker == NULL || self->person_id == NULL)
    return;
  if (self->supervisor)
    {
      clmrs_sync_page_start (self->sync_page, self->worker);
      gtk_stack_set_visible_child_name (self->stack, "sync");
    }
  else
    {
      clmrs_home_page_set_tab (self->home_page, "sync");
      gtk_stack_set_visible_child_name (self->stack, "home");
    }
}

static void
sync_back_clicked_cb (ClmrsWindow *self)
{
  clmrs_sync_page_stop (self->sync_page);
  if (self->person_id == NULL || !self->supervisor)
    return;
  /* a sync may have brought visits to review */
  clmrs_supervisor_page_start (self->supervisor_page, self->worker, self->person_id, self->person_name);
  gtk_stack_set_visible_child_name (self->stack, "supervisor");
}

static void
enrol_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  ClmrsWindow *self = CLMRS_WINDOW (widget);

  if (self->worker != NULL && self->person_id != NULL)
    show_enrol_page (self);
}

/* The menu's Add Someone: a colleague of the device's communities may
 * sign in here once they have chosen a PIN (the person signed in holds
 * the key their entry wraps). */
static void
add_person_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ClmrsWindow *self = CLMRS_WINDOW (widget);

  if (self->worker != NULL && self->person_id != NULL)
    gtk_window_present (GTK_WINDOW (clmrs_add_person_dialog_new (GTK_WINDOW (self), self->worker)));
}

static void
new_visit_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  clmrs_window_start_visit (CLMRS_WINDOW (widget), g_variant_get_string (parameter, NULL), NULL);
}

static void
fit_to_monitor (ClmrsWindow *self)
{
  GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (self));
  GListModel *monitors = gdk_display_get_monitors (display);
  g_autoptr(GdkMonitor) monitor = g_list_model_get_item (monitors, 0);
  GdkRectangle area;
  int width, height;

  /* a handheld's screen is smaller than the default size */
  if (monitor == NULL)
    return;
  gdk_monitor_get_geometry (monitor, &area);
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  if (area.width < width || area.height < height)
    gtk_window_set_default_size (GTK_WINDOW (self), MIN (area.width, width), MIN (area.height, height));
}

static void
clmrs_window_dispose (GObject *object)
{
  ClmrsWindow *self = (ClmrsWindow *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->lock_source, g_source_remove);
  if (self->worker != NULL)
    {
      clmrs_home_page_stop (self->home_page);
      clmrs_household_page_clear (self->household_page);
      clmrs_supervisor_page_stop (self->supervisor_page);
      clmrs_sync_page_stop (self->sync_page);
      clmrs_visit_wizard_stop (self->visit_wizard);
      clmrs_enrol_page_stop (self->enrol_page);
      /* explicit close, from the main thread (STYLE trap 4) */
      clmrs_db_worker_close (self->worker);
      g_clear_object (&self->worker);
    }

  G_OBJECT_CLASS (clmrs_window_parent_class)->dispose (object);
}

static void
clmrs_window_finalize (GObject *object)
{
  ClmrsWindow *self = (ClmrsWindow *) object;

  g_clear_object (&self->cancellable);
  g_free (self->person_id);
  g_free (self->person_name);
  g_free (self->person_sex);
  g_free (self->form_language);
  g_free (self->last_toast);

  G_OBJECT_CLASS (clmrs_window_parent_class)->finalize (object);
}

static void
clmrs_window_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  ClmrsWindow *self = CLMRS_WINDOW (object);

  switch (prop_id)
    {
    case PROP_PAGE_NAME:
      g_value_set_string (value, clmrs_window_get_page_name (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
page_changed_cb (ClmrsWindow *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAGE_NAME]);
}

static void
clmrs_window_class_init (ClmrsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = clmrs_window_dispose;
  object_class->finalize = clmrs_window_finalize;
  object_class->get_property = clmrs_window_get_property;

  properties[PROP_PAGE_NAME] =
    g_param_spec_string ("page-name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CLMRS_TYPE_ENROL_PAGE);
  g_type_ensure (CLMRS_TYPE_SIGNIN_PAGE);
  g_type_ensure (CLMRS_TYPE_HOME_PAGE);
  g_type_ensure (CLMRS_TYPE_HOUSEHOLD_PAGE);
  g_type_ensure (CLMRS_TYPE_SUPERVISOR_PAGE);
  g_type_ensure (CLMRS_TYPE_VISIT_WIZARD);
  g_type_ensure (CLMRS_TYPE_RECORD_VIEW);
  g_type_ensure (CLMRS_TYPE_SYNC_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/clmrs/Field/clmrs-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ClmrsWindow, demo_banner);
  gtk_widget_class_bind_template_child (widget_class, ClmrsWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, ClmrsWindow, loading_status);
  gtk_widget_class_bind_template_child (widget_class, ClmrsWindow, loading_progress);
  gtk_widget_class_bind_template_child (widget_class, ClmrsWindow, error_status);
  gtk_widget_class_bind_template_child (widget_class, ClmrsWindow, enrol_page);
  gtk_widget_class_bind_template_child (widget_class, ClmrsWindow, signin_page);
  gtk_widget_class_bind_template_child (widget_class, ClmrsWindow, home_page);
  gtk_widget_class_bind_template_child (widget_class, ClmrsWindow, household_page);
  gtk_widget_class_bind_template_child (widget_class, ClmrsWindow, supervisor_page);
  gtk_widget_class_bind_template_child (widget_class, ClmrsWindow, visit_wizard);
  gtk_widget_class_bind_template_child (widget_class, ClmrsWindow, record_title);
  gtk_widget_class_bind_template_child (widget_class, ClmrsWindow, record_view);
  gtk_widget_class_bind_template_child (widget_class, ClmrsWindow, sync_page);
  gtk_widget_class_bind_template_callback (widget_class, sync_back_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, record_loaded_cb);
  gtk_widget_class_bind_template_callback (widget_class, record_back_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, record_correct_cb);
  gtk_widget_class_bind_template_callback (widget_class, household_back_cb);
  gtk_widget_class_bind_template_callback (widget_class, retry_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, enrol_done_cb);
  gtk_widget_class_bind_template_callback (widget_class, signed_in_cb);
  gtk_widget_class_bind_template_callback (widget_class, visit_done_cb);

  gtk_widget_class_install_action (widget_class, "win.sign-out", NULL, sign_out_action);
  gtk_widget_class_install_action (widget_class, "win.new-visit", "s", new_visit_action);
  gtk_widget_class_install_action (widget_class, "win.enrol", NULL, enrol_action);
  gtk_widget_class_install_action (widget_class, "win.show-sync", NULL, show_sync_action);
  gtk_widget_class_install_action (widget_class, "win.add-person", NULL, add_person_action);
}

static void
clmrs_window_init (ClmrsWindow *self)
{
  GtkEventController *legacy;

  gtk_widget_init_template (GTK_WIDGET (self));
  clmrs_record_view_set_can_correct (self->record_view, TRUE);
  /* a returned visit's household and date, whole at a phone's width
     ("Household visit · 7 De…") */
  _clmrs_wrap_labels_under (GTK_WIDGET (self->record_title));
  g_signal_connect_object (self->stack, "notify::visible-child-name",
                           G_CALLBACK (page_changed_cb), self, G_CONNECT_SWAPPED);

  self->cancellable = g_cancellable_new ();
  self->last_input = g_get_monotonic_time ();
  clmrs_window_set_lock_seconds (self, 300);

  /* any touch, key or pointer movement anywhere keeps the session open */
  legacy = gtk_event_controller_legacy_new ();
  gtk_event_controller_set_propagation_phase (legacy, GTK_PHASE_CAPTURE);
  g_signal_connect (legacy, "event", G_CALLBACK (input_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), legacy);
}

/* The window of @application; it opens the application's database. */
ClmrsWindow *
clmrs_window_new (ClmrsApplication *application)
{
  ClmrsWindow *self;

  g_return_val_if_fail (CLMRS_IS_APPLICATION (application), NULL);

  self = g_object_new (CLMRS_TYPE_WINDOW, "application", application, NULL);
  clmrs_startup_report_attach (GTK_WIDGET (self));
  fit_to_monitor (self);
  open_database (self);
  return self;
}

/* Where nothing is lost by building the window again: not while the
 * database opens (or the demo is made), an enrolment, a visit or a
 * record is on screen. */
gboolean
clmrs_window_can_rebuild (ClmrsWindow *self)
{
  const char *page;

  g_return_val_if_fail (CLMRS_IS_WINDOW (self), FALSE);

  page = gtk_stack_get_visible_child_name (self->stack);
  return self->worker != NULL &&
         (g_strcmp0 (page, "signin") == 0 || g_strcmp0 (page, "home") == 0 ||
          g_strcmp0 (page, "supervisor") == 0);
}

ClmrsWindow *
clmrs_window_new_replacing (ClmrsWindow *old)
{
  ClmrsWindow *self;
  GtkApplication *app;
  g_autofree char *tab = NULL;
  int width, height;

  g_return_val_if_fail (CLMRS_IS_WINDOW (old), NULL);
  g_return_val_if_fail (clmrs_window_can_rebuild (old), NULL);

  app = gtk_window_get_application (GTK_WINDOW (old));
  self = g_object_new (CLMRS_TYPE_WINDOW, "application", app, NULL);
  /* the default size, which GTK keeps at the window's unmaximised size as
     it is resized, is the size the new one is set to: the widget's width
     and height leave out the client-side decorations and would make the new
     window smaller by their size at each switch */
  gtk_window_get_default_size (GTK_WINDOW (old), &width, &height);
  if (width <= 0 || height <= 0)
    {
      width = gtk_widget_get_width (GTK_WIDGET (old));
      height = gtk_widget_get_height (GTK_WIDGET (old));
    }
  gtk_window_set_default_size (GTK_WINDOW (self), width, height);
  if (gtk_window_is_maximized (GTK_WINDOW (old)))
    gtk_window_maximize (GTK_WINDOW (self));
  if (g_strcmp0 (gtk_stack_get_visible_child_name (old->stack), "home") == 0)
    tab = g_strdup (clmrs_home_page_get_tab (old->home_page));

  /* the old window lets go of its work and its worker, which stays open */
  g_cancellable_cancel (old->cancellable);
  clmrs_home_page_stop (old->home_page);
  clmrs_supervisor_page_stop (old->supervisor_page);
  clmrs_sync_page_stop (old->sync_page);
  clmrs_enrol_page_stop (old->enrol_page);
  clmrs_signin_page_reset (old->signin_page);
  self->worker = g_steal_pointer (&old->worker);
  gtk_widget_set_visible (self->demo_banner, gtk_widget_get_visible (old->demo_banner));
  g_signal_connect_object (clmrs_application_get_settings (CLMRS_APPLICATION (app)),
                           "changed::follow-up-interval-months",
                           G_CALLBACK (interval_changed_cb), self, G_CONNECT_SWAPPED);
  set_case_config (self);
  clmrs_signin_page_set_worker (self->signin_page, self->worker);

  /* the same person, still signed in; the lock counts from their last touch */
  self->person_id = g_strdup (old->person_id);
  self->person_name = g_strdup (old->person_name);
  self->person_sex = g_strdup (old->person_sex);
  self->supervisor = old->supervisor;
  self->last_input = old->last_input;
  clmrs_window_set_lock_seconds (self, old->lock_seconds);

  /* the sign-in page of the new window needs the names even when someone
     is signed in: signing out, or the lock, shows it */
  clmrs_db_worker_list_people_async (self->worker, self->cancellable, people_cb, g_object_ref (self));
  if (self->person_id == NULL)
    gtk_stack_set_visible_child_name (self->stack, "signin");
  else if (self->supervisor)
    {
      clmrs_supervisor_page_start (self->supervisor_page, self->worker, self->person_id, self->person_name);
      /* a sync started from the supervisor's Sync page goes on, shown there */
      clmrs_sync_page_take_sync (self->sync_page, old->sync_page);
      gtk_stack_set_visible_child_name (self->stack, "supervisor");
    }
  else
    {
      /* the lists as the old window read them, not read again */
      clmrs_home_page_start_again (self->home_page, old->home_page, self->worker, self->person_id, self->person_name);
      /* a sync under way goes on, shown (and cancellable) here */
      clmrs_sync_page_take_sync (clmrs_home_page_get_sync_page (self->home_page),
                                 clmrs_home_page_get_sync_page (old->home_page));
      if (tab != NULL)
        clmrs_home_page_set_tab (self->home_page, tab);
      gtk_stack_set_visible_child_name (self->stack, "home");
    }
  if (old->last_toast != NULL && g_get_monotonic_time () - old->last_toast_at < TOAST_CARRIED_USEC)
    clmrs_window_show_toast (self, old->last_toast);
  return self;
}
