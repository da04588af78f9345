/* clmrs-household-page.c: one household, read-only: its children and their cases, its visits, a new visit. */
#define G_LOG_DOMAIN "clmrs-household-page"

#include "clmrs-labels-private.h"
#include "clmrs-i18n.h"
#include "clmrs-rows-private.h"
#include "config.h"

#include "clmrs-household-page.h"
#include "clmrs-household-page-private.h"

#include <glib/gi18n.h>

#include "supports.h"
#include "util.h"


#include "clmrs-window.h"

#define VISIT_LIMIT 100

struct _ClmrsHouseholdPage
{
  AdwBin                parent_instance;

  /* Template widgets */
  AdwWindowTitle       *title;
  GtkStack             *stack;
  AdwStatusPage        *error_status;
  AdwAvatar            *avatar;
  GtkLabel             *head_label;
  GtkLabel             *details_label;
  GtkListBox           *children_list;
  GtkWidget            *supports_heading;
  GtkListBox           *supports_list;
  GtkListBox           *visits_list;

  /* Owned references */
  ClmrsDbWorker        *worker;
  GCancellable         *cancellable;
  char                 *household_id;
  char                 *language;
  guint                 n_busy;
};

G_DEFINE_FINAL_TYPE (ClmrsHouseholdPage, clmrs_household_page, ADW_TYPE_BIN)

enum {
  BACK,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static ClmrsWindow *
get_window (ClmrsHouseholdPage *self)
{
  GtkWidget *window = gtk_widget_get_ancestor (GTK_WIDGET (self), CLMRS_TYPE_WINDOW);

  return window != NULL ? CLMRS_WINDOW (window) : NULL;
}

/* --- words --- */

/* "1 Mar 2025" for "2025-03-01"; the text itself when it is no date. */
static char *
date_text (const char *iso)
{
  return clmrs_i18n_format_day (iso);
}

static char *
sex_age_text (const char *sex,
              int         age)
{
  if (age >= 0 && g_strcmp0 (sex, "female") == 0)
    /* Translators: a girl's age in years */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Girl, %d year old", "Girl, %d years old", age), age);
  if (age >= 0 && g_strcmp0 (sex, "male") == 0)
    /* Translators: a boy's age in years */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Boy, %d year old", "Boy, %d years old", age), age);
  if (age >= 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d year old", "%d years old", age), age);
  if (g_strcmp0 (sex, "female") == 0)
    return g_strdup (_("Girl, age not known"));
  if (g_strcmp0 (sex, "male") == 0)
    return g_strdup (_("Boy, age not known"));
  return g_strdup (_("Age not known"));
}

static const char *
finding_label (const char *code)
{
  ClmrsStatus status;

  if (code == NULL || !clmrs_status_from_string (code, &status))
    return NULL;
  return _clmrs_status_label (status);
}

/* A follow-up applies while the case is open and the child under 18, and
 * once a year after an exit until 18 (the monitoring visit is a follow-up). */
static gboolean
follow_up_applies (const ClmrsHouseholdChild *child)
{
  return (child->kase.open && child->kase.status != CLMRS_CASE_AGED_OUT) ||
         child->kase.monitoring_due;
}

/* Why a case was closed, in words. */
static const char *
closure_label (ClmrsClosureReason reason)
{
  switch (reason)
    {
    case CLMRS_CLOSURE_DECEASED:
      return _("Case closed: the child died");
    case CLMRS_CLOSURE_MOVED_OUT:
      return _("Case closed: moved out of the area");
    case CLMRS_CLOSURE_CONSENT_WITHDRAWN:
      return _("Case closed: consent withdrawn");
    case CLMRS_CLOSURE_AGED_OUT:
      return _("Case closed: 18 years old");
    case CLMRS_CLOSURE_DUPLICATE:
      return _("Case closed: the same child as another record");
    case CLMRS_CLOSURE_NONE:
    default:
      return _("Case closed");
    }
}

/* The child's case in words: what was found, what is due, how far to exit. */
static char *
case_text (const ClmrsHouseholdChild *child)
{
  const ClmrsCase *kase = &child->kase;
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *due = date_text (kase->next_due_date);
  const char *finding;

  switch (kase->status)
    {
    case CLMRS_CASE_NONE:
      finding = finding_label (child->last_status);
      return g_strdup (finding ? finding : _("Not assessed yet"));
    case CLMRS_CASE_EXITED:
      {
        g_autofree char *exit = date_text (kase->exit_date);

        if (kase->next_due_date[0] != '\0')
          /* Translators: a child out of child labour since a day, visited once a year until 18 */
          return g_strdup_printf (_("Out of child labour since %s · yearly visit due on %s"), exit, due);
        /* Translators: a closed case, with the day of the follow-up that closed it */
        return g_strdup_printf (_("Out of child labour since %s · case closed"), exit);
      }
    case CLMRS_CASE_CLOSED:
      return g_strdup (closure_label (kase->closure_reason));
    case CLMRS_CASE_AGED_OUT:
      return g_strdup (_("Case closed: 18 years old"));
    default:
      break;
    }

  finding = finding_label (child->last_finding);
  g_ptr_array_add (parts, g_strdup (finding ? finding : _("Child labour")));
  if (kase->status == CLMRS_CASE_MOVED_LOST)
    g_ptr_array_add (parts, g_strdup (_("moved away or not found at the last visit")));
  else if (kase->referred)
    g_ptr_array_add (parts, g_strdup (_("referred to child protection")));
  if (kase->n_clean_follow_ups > 0)
    /* Translators: "out of child labour at 1 of 2 follow-ups": two in a row close the case */
    g_ptr_array_add (parts, g_strdup_printf (_("out of child labour at %u of %u follow-ups"),
                                             kase->n_clean_follow_ups, CLMRS_CASE_CLEAN_FOLLOW_UPS_TO_EXIT));
  if (kase->follow_up_missed)
    {
      g_autofree char *end = date_text (kase->window_end_date);

      /* Translators: no follow-up came in time; the count of follow-ups out of child labour starts again */
      g_ptr_array_add (parts, g_strdup_printf (_("follow-up window missed on %s"), end));
    }
  else if (kase->follow_up_overdue)
    g_ptr_array_add (parts, g_strdup_printf (_("follow-up overdue since %s"), due));
  else if (kase->follow_up_due)
    g_ptr_array_add (parts, g_strdup_printf (_("follow-up due since %s"), due));
  else if (*kase->next_due_date != '\0')
    g_ptr_array_add (parts, g_strdup_printf (_("follow-up due on %s"), due));
  g_ptr_array_add (parts, NULL);
  return g_strjoinv (" · ", (char **) parts->pdata);
}

/* Where the visit is: with the supervisor, on the server, or still here. */
static const char *
visit_state_label (const ClmrsHouseholdVisit *visit,
                   const char               **css_class)
{
  *css_class = NULL;
  if (g_strcmp0 (visit->review_state, "returned") == 0)
    {
      *css_class = "late";
      /* Translators: a visit the supervisor returned to its facilitator */
      return C_("visit", "Returned");
    }
  if (g_strcmp0 (visit->outbox_state, "rejected") == 0)
    {
      *css_class = "late";
      /* Translators: a visit the server refused */
      return C_("visit", "Refused");
    }
  if (g_strcmp0 (visit->outbox_state, "queued") == 0)
    {
      *css_class = "due-soon";
      /* Translators: a visit waiting for the next sync */
      return C_("visit", "Waiting");
    }
  if (g_strcmp0 (visit->review_state, "approved") == 0)
    /* Translators: a visit the supervisor approved */
    return C_("visit", "Approved");
  /* Translators: a visit on the server */
  return C_("visit", "Sent");
}

/* --- rows --- */

/* Follow Up and Close Case: the visit of one child, with the form on the
 * button (as the Follow-ups tab asks a follow-up). */
static void
child_visit_clicked_cb (GtkButton          *button,
                        ClmrsHouseholdPage *self)
{
  ClmrsWindow *window = get_window (self);
  g_autofree char *household_id = g_strdup (self->household_id);
  g_autofree char *child_id = g_strdup (g_object_get_data (G_OBJECT (button), "child-id"));
  g_autofree char *form_id = g_strdup (g_object_get_data (G_OBJECT (button), "form-id"));
  ClmrsVisitRequest request = {
    .form_id = form_id,
    .child_id = child_id,
    .household_id = household_id,
  };

  if (window != NULL && child_id != NULL && household_id != NULL)
    clmrs_window_open_visit (window, &request);
}

/* A row button that opens @form_id for @child; @label is its accessible name. */
static GtkWidget *
child_visit_button (ClmrsHouseholdPage        *self,
                    const ClmrsHouseholdChild *child,
                    const char                *mnemonic,
                    const char                *label,
                    const char                *form_id)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (mnemonic);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (button, -1, 48);
  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  g_object_set_data_full (G_OBJECT (button), "child-id", g_strdup (child->child_id), g_free);
  g_object_set_data (G_OBJECT (button), "form-id", (gpointer) form_id);
  g_signal_connect (button, "clicked", G_CALLBACK (child_visit_clicked_cb), self);
  return button;
}

static GtkWidget *
child_row (ClmrsHouseholdPage        *self,
           const ClmrsHouseholdChild *child)
{
  g_autofree char *who = sex_age_text (child->sex, child->age);
  g_autofree char *state = case_text (child);
  g_autofree char *subtitle = g_strdup_printf ("%s\n%s", who, state);
  GtkWidget *row = _clmrs_data_row (child->name, subtitle);
  GtkWidget *icon;
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  const char *icon_name = "avatar-default-symbolic";
  const char *css_class = NULL;

  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  if (follow_up_applies (child))
    {
      icon_name = "dialog-warning-symbolic";
      css_class = child->kase.follow_up_overdue || child->kase.follow_up_missed ? "late" : "due-soon";
    }
  else if (child->kase.status == CLMRS_CASE_EXITED)
    {
      icon_name = "emblem-ok-symbolic";
      css_class = "case-closed";
    }
  icon = gtk_image_new_from_icon_name (icon_name);
  if (css_class != NULL)
    gtk_widget_add_css_class (icon, css_class);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  if (follow_up_applies (child))
    {
      g_autofree char *label = g_strdup_printf (_("Follow-up visit of %s"), child->name);
      GtkWidget *button = child_visit_button (self, child, _("_Follow Up"), label, "follow_up_visit");

      if (child->kase.follow_up_due || child->kase.follow_up_overdue || child->kase.monitoring_due)
        gtk_widget_add_css_class (button, "suggested-action");
      gtk_box_append (GTK_BOX (buttons), button);
    }
  /* a case followed up (or monitored after its exit) can be closed for a
   * reason other than exit: death, a move, consent withdrawn, a duplicate */
  if (follow_up_applies (child) || (child->kase.status == CLMRS_CASE_EXITED && child->kase.next_due_date[0] != '\0'))
    {
      g_autofree char *label = g_strdup_printf (_("Close the case of %s"), child->name);

      gtk_box_append (GTK_BOX (buttons), child_visit_button (self, child, _("_Close Case"), label, "case_closure"));
    }
  /* one above the other: side by side they leave a phone's row no room
     for the child's name and case */
  if (gtk_widget_get_first_child (buttons) != NULL)
    {
      gtk_widget_set_valign (buttons, GTK_ALIGN_CENTER);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), buttons);
    }
  else
    {
      /* never parented: dropped here */
      g_object_ref_sink (buttons);
      g_object_unref (buttons);
    }
  gtk_widget_add_css_class (row, "tall-row");
  g_object_set_data_full (G_OBJECT (row), "child-id", g_strdup (child->child_id), g_free);
  g_object_set_data_full (G_OBJECT (row), "case-status", g_strdup (clmrs_case_status_to_string (child->kase.status)), g_free);
  return row;
}

/* "Follow-up visit: Yaw": the form's title in the chosen language (or its
 * kind in words) and the child it is about. */
static char *
visit_title (const ClmrsHouseholdVisit *visit,
             GHashTable                *form_titles)
{
  const char *form = visit->form_id && form_titles ? g_hash_table_lookup (form_titles, visit->form_id) : NULL;

  if (form == NULL)
    form = _clmrs_visit_kind_label (visit->kind);
  /* Translators: "FORM: CHILD", e.g. "Follow-up visit: Yaw" */
  return visit->child_name ? g_strdup_printf (_("%s: %s"), form, visit->child_name) : g_strdup (form);
}

static void
visit_activated_cb (AdwActionRow       *row,
                    ClmrsHouseholdPage *self)
{
  ClmrsWindow *window = get_window (self);
  g_autofree char *visit_id = g_strdup (g_object_get_data (G_OBJECT (row), "visit-id"));

  if (window != NULL && visit_id != NULL)
    clmrs_window_open_record (window, visit_id);
}

static GtkWidget *
visit_row (ClmrsHouseholdPage        *self,
           const ClmrsHouseholdVisit *visit,
           GHashTable                *form_titles)
{
  g_autofree char *title = visit_title (visit, form_titles);
  g_autofree char *day = date_text (visit->visit_date);
  g_autofree char *subtitle = NULL;
  const char *css_class;
  const char *state = visit_state_label (visit, &css_class);
  GtkWidget *row, *label;

  /* Translators: "DAY · by FACILITATOR" */
  subtitle = g_strdup_printf (_("%s · by %s"), day, visit->facilitator_name ? visit->facilitator_name : "");
  row = _clmrs_data_row (title, subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  label = gtk_label_new (state);
  gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  else
    gtk_widget_add_css_class (label, "dim-label");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
  gtk_widget_add_css_class (row, "tall-row");
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data_full (G_OBJECT (row), "visit-id", g_strdup (visit->visit_id), g_free);
  g_object_set_data_full (G_OBJECT (row), "visit-state", g_strdup (state), g_free);
  g_signal_connect (row, "activated", G_CALLBACK (visit_activated_cb), self);
  return row;
}

static void
continue_clicked_cb (GtkButton          *button,
                     ClmrsHouseholdPage *self)
{
  ClmrsWindow *window = get_window (self);
  g_autofree char *draft_id = g_strdup (g_object_get_data (G_OBJECT (button), "visit-id"));
  ClmrsVisitRequest request = { .draft_id = draft_id };

  if (window != NULL && draft_id != NULL)
    clmrs_window_open_visit (window, &request);
}

/* An unfinished visit: its facilitator may continue it (another's is
 * only shown: it is theirs to finish). */
static GtkWidget *
draft_row (ClmrsHouseholdPage        *self,
           const ClmrsHouseholdVisit *visit,
           GHashTable                *form_titles)
{
  ClmrsWindow *window = get_window (self);
  const char *person = window != NULL ? clmrs_window_get_person_id (window) : NULL;
  g_autofree char *title = visit_title (visit, form_titles);
  g_autofree char *subtitle = NULL;
  GtkWidget *row;

  /* Translators: an unfinished visit, "Not finished · by FACILITATOR" */
  subtitle = g_strdup_printf (_("Not finished · by %s"), visit->facilitator_name ? visit->facilitator_name : "");
  row = _clmrs_data_row (title, subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("document-edit-symbolic"));
  if (g_strcmp0 (person, visit->facilitator_id) == 0)
    {
      GtkWidget *button = gtk_button_new_with_mnemonic (_("_Continue"));

      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_set_size_request (button, -1, 48);
      gtk_widget_add_css_class (button, "suggested-action");
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Continue the unfinished visit"), -1);
      g_object_set_data_full (G_OBJECT (button), "visit-id", g_strdup (visit->visit_id), g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (continue_clicked_cb), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
    }
  gtk_widget_add_css_class (row, "tall-row");
  g_object_set_data_full (G_OBJECT (row), "visit-id", g_strdup (visit->visit_id), g_free);
  g_object_set_data_full (G_OBJECT (row), "visit-state", g_strdup ("draft"), g_free);
  return row;
}

static GtkWidget *
placeholder (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_set_margin_top (label, 18);
  gtk_widget_set_margin_bottom (label, 18);
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_end (label, 12);
  gtk_widget_add_css_class (label, "dim-label");
  return label;
}

/* Takes the rows out of @list; its placeholder stays. */
static void
remove_rows (GtkListBox *list)
{
  GtkListBoxRow *row;

  while ((row = gtk_list_box_get_row_at_index (list, 0)) != NULL)
    gtk_list_box_remove (list, GTK_WIDGET (row));
}

/* --- supports planned and never given --- */

typedef struct {
  char            *support_id;
  char            *state;
  char            *person_id;
  ClmrsCaseConfig  config;
} SettleData;

static void
settle_data_free (SettleData *data)
{
  g_free (data->support_id);
  g_free (data->state);
  g_free (data->person_id);
  g_free (data);
}

static gpointer
settle_job (ClmrsStore    *store,
            gpointer       user_data,
            GCancellable  *cancellable,
            GError       **error)
{
  SettleData *data = user_data;
  GDate today;

  clmrs_date_today (&today);
  if (!clmrs_support_settle (store, data->support_id, data->state, data->person_id, &today, &data->config, error))
    return NULL;
  return GINT_TO_POINTER (1);
}

static void
settle_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(ClmrsHouseholdPage) self = user_data;
  g_autoptr(GError) error = NULL;

  self->n_busy--;
  if (clmrs_db_worker_run_finish (CLMRS_DB_WORKER (source), result, &error) == NULL)
    {
      g_message ("Cannot settle a support: %s", error->message);
      clmrs_window_show_toast (get_window (self), _("The support could not be saved"));
    }
  else
    clmrs_window_show_toast (get_window (self), _("Saved, to send at the next sync"));
  clmrs_household_page_reload (self);
}

/* Given or Declined on a support planned and never given. */
static void
settle_clicked_cb (GtkButton          *button,
                   ClmrsHouseholdPage *self)
{
  SettleData *data = g_new0 (SettleData, 1);

  data->support_id = g_strdup (g_object_get_data (G_OBJECT (button), "support-id"));
  data->state = g_strdup (g_object_get_data (G_OBJECT (button), "state"));
  data->person_id = g_strdup (clmrs_window_get_person_id (get_window (self)));
  clmrs_db_worker_get_case_config (self->worker, &data->config);
  gtk_widget_set_sensitive (GTK_WIDGET (gtk_widget_get_parent (GTK_WIDGET (button))), FALSE);
  self->n_busy++;
  clmrs_db_worker_run_async (self->worker, settle_job, data, (GDestroyNotify) settle_data_free, NULL,
                             self->cancellable, settle_cb, g_object_ref (self));
}

static GtkWidget *
settle_button (ClmrsHouseholdPage        *self,
               const ClmrsOverdueSupport *support,
               const char                *label,
               const char                *state)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_object_set_data_full (G_OBJECT (button), "support-id", g_strdup (support->id), g_free);
  g_object_set_data (G_OBJECT (button), "state", (gpointer) state);
  g_signal_connect (button, "clicked", G_CALLBACK (settle_clicked_cb), self);
  return button;
}

static GtkWidget *
support_row (ClmrsHouseholdPage        *self,
             const ClmrsOverdueSupport *support)
{
  g_autofree char *day = date_text (support->date);
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  GtkWidget *row, *buttons;

  /* Translators: "SUPPORT for CHILD", a support planned for a child */
  title = support->child_name ? g_strdup_printf (_("%s for %s"), _clmrs_support_label (support->type),
                                                 support->child_name)
                              : g_strdup (_clmrs_support_label (support->type));
  /* Translators: %s is the day the support was planned */
  subtitle = g_strdup_printf (_("Planned on %s, not given yet: was it given?"), day);
  row = _clmrs_data_row (title, subtitle);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  buttons = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_box_append (GTK_BOX (buttons), settle_button (self, support, _("_Given"), "delivered"));
  gtk_box_append (GTK_BOX (buttons), settle_button (self, support, _("_Declined"), "declined"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), buttons);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  return row;
}

/* --- loading --- */

static void
household_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(ClmrsHouseholdPage) self = user_data;
  g_autoptr(ClmrsHouseholdFile) file = NULL;
  g_autoptr(GHashTable) form_titles = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *details = NULL;
  g_autofree char *last = NULL;

  file = clmrs_db_worker_household_finish (CLMRS_DB_WORKER (source), result, &form_titles, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_assert (self->n_busy > 0);
  self->n_busy--;
  gtk_widget_set_can_target (GTK_WIDGET (self), TRUE);
  if (file == NULL)
    {
      g_message ("Cannot read a household: %s", error->message);
      adw_status_page_set_description (self->error_status, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
      return;
    }

  adw_window_title_set_title (self->title, file->head_name);
  adw_window_title_set_subtitle (self->title, file->community ? file->community : "");
  adw_avatar_set_text (self->avatar, file->head_name);
  gtk_label_set_label (self->head_label, file->head_name);
  last = date_text (file->last_visit);
  if (file->last_visit != NULL)
    /* Translators: "COMMUNITY · last visited on DAY" */
    details = g_strdup_printf (_("%s · last visited on %s"), file->community ? file->community : "", last);
  else
    details = g_strdup_printf (_("%s · not visited yet"), file->community ? file->community : "");
  gtk_label_set_label (self->details_label, details);

  remove_rows (self->children_list);
  for (guint i = 0; i < file->children->len; i++)
    gtk_list_box_append (self->children_list, child_row (self, g_ptr_array_index (file->children, i)));
  remove_rows (self->supports_list);
  for (guint i = 0; i < file->overdue_supports->len; i++)
    gtk_list_box_append (self->supports_list, support_row (self, g_ptr_array_index (file->overdue_supports, i)));
  gtk_widget_set_visible (self->supports_heading, file->overdue_supports->len > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->supports_list), file->overdue_supports->len > 0);
  remove_rows (self->visits_list);
  for (guint i = 0; i < file->drafts->len; i++)
    gtk_list_box_append (self->visits_list, draft_row (self, g_ptr_array_index (file->drafts, i), form_titles));
  for (guint i = 0; i < file->visits->len; i++)
    gtk_list_box_append (self->visits_list, visit_row (self, g_ptr_array_index (file->visits, i), form_titles));
  gtk_stack_set_visible_child_name (self->stack, "household");
}

void
clmrs_household_page_load (ClmrsHouseholdPage *self,
                           ClmrsDbWorker      *worker,
                           const char         *household_id,
                           const char         *language)
{
  g_return_if_fail (CLMRS_IS_HOUSEHOLD_PAGE (self));
  g_return_if_fail (CLMRS_IS_DB_WORKER (worker));
  g_return_if_fail (household_id != NULL);

  clmrs_household_page_clear (self);
  g_set_object (&self->worker, worker);
  self->household_id = g_strdup (household_id);
  self->language = g_strdup (language);
  clmrs_household_page_reload (self);
}

void
clmrs_household_page_reload (ClmrsHouseholdPage *self)
{
  g_return_if_fail (CLMRS_IS_HOUSEHOLD_PAGE (self));

  if (self->worker == NULL || self->household_id == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->n_busy = 1;
  /* no tap until it is read again (back from a visit: a second tap on
     the visit's Close would land on Back, or on a row) */
  gtk_widget_set_can_target (GTK_WIDGET (self), FALSE);
  /* the page shown stays until the new one is read, unless there is none */
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "household") != 0)
    gtk_stack_set_visible_child_name (self->stack, "busy");
  clmrs_db_worker_household_async (self->worker, self->household_id, self->language, VISIT_LIMIT,
                                   self->cancellable, household_cb, g_object_ref (self));
}

void
clmrs_household_page_clear (ClmrsHouseholdPage *self)
{
  g_return_if_fail (CLMRS_IS_HOUSEHOLD_PAGE (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->n_busy = 0;
  gtk_widget_set_can_target (GTK_WIDGET (self), TRUE);
  g_clear_pointer (&self->household_id, g_free);
  g_clear_pointer (&self->language, g_free);
  remove_rows (self->children_list);
  remove_rows (self->supports_list);
  remove_rows (self->visits_list);
  adw_window_title_set_title (self->title, _("Household"));
  adw_window_title_set_subtitle (self->title, "");
  gtk_stack_set_visible_child_name (self->stack, "busy");
}

const char *
clmrs_household_page_get_household_id (ClmrsHouseholdPage *self)
{
  g_return_val_if_fail (CLMRS_IS_HOUSEHOLD_PAGE (self), NULL);

  return self->household_id;
}

guint
clmrs_household_page_get_n_busy (ClmrsHouseholdPage *self)
{
  g_return_val_if_fail (CLMRS_IS_HOUSEHOLD_PAGE (self), 0);

  return self->n_busy;
}

GtkListBox *
clmrs_household_page_get_list (ClmrsHouseholdPage *self,
                               const char         *name)
{
  g_return_val_if_fail (CLMRS_IS_HOUSEHOLD_PAGE (self), NULL);

  if (g_strcmp0 (name, "children") == 0)
    return self->children_list;
  if (g_strcmp0 (name, "visits") == 0)
    return self->visits_list;
  if (g_strcmp0 (name, "supports") == 0)
    return self->supports_list;
  return NULL;
}

/* --- actions --- */

static void
back_clicked_cb (ClmrsHouseholdPage *self)
{
  g_signal_emit (self, signals[BACK], 0);
}

/* Starts @form_id for this household (its form is filled from it). */
static void
start_visit_here (ClmrsHouseholdPage *self,
                  const char         *form_id)
{
  ClmrsWindow *window = get_window (self);
  g_autofree char *household_id = g_strdup (self->household_id);

  if (window != NULL && household_id != NULL)
    clmrs_window_start_visit (window, form_id, household_id);
}

/* A new visit of this household, as tapping it on home did. */
static void
new_visit_clicked_cb (ClmrsHouseholdPage *self)
{
  start_visit_here (self, "household_visit");
}

/* The awareness session for one household that home offers. */
static void
awareness_clicked_cb (ClmrsHouseholdPage *self)
{
  start_visit_here (self, "awareness_session");
}

/* A visit of this household's farm: the children found working there. */
static void
farm_visit_clicked_cb (ClmrsHouseholdPage *self)
{
  start_visit_here (self, "farm_visit");
}

/* --- the widget --- */

static void
clmrs_household_page_dispose (GObject *object)
{
  ClmrsHouseholdPage *self = (ClmrsHouseholdPage *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->worker);

  G_OBJECT_CLASS (clmrs_household_page_parent_class)->dispose (object);
}

static void
clmrs_household_page_finalize (GObject *object)
{
  ClmrsHouseholdPage *self = (ClmrsHouseholdPage *) object;

  g_free (self->household_id);
  g_free (self->language);

  G_OBJECT_CLASS (clmrs_household_page_parent_class)->finalize (object);
}

static void
clmrs_household_page_class_init (ClmrsHouseholdPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = clmrs_household_page_dispose;
  object_class->finalize = clmrs_household_page_finalize;

  /* the Back button: the window shows home */
  signals[BACK] = g_signal_new ("back", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/clmrs/Field/clmrs-household-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ClmrsHouseholdPage, title);
  gtk_widget_class_bind_template_child (widget_class, ClmrsHouseholdPage, stack);
  gtk_widget_class_bind_template_child (widget_class, ClmrsHouseholdPage, error_status);
  gtk_widget_class_bind_template_child (widget_class, ClmrsHouseholdPage, avatar);
  gtk_widget_class_bind_template_child (widget_class, ClmrsHouseholdPage, head_label);
  gtk_widget_class_bind_template_child (widget_class, ClmrsHouseholdPage, details_label);
  gtk_widget_class_bind_template_child (widget_class, ClmrsHouseholdPage, children_list);
  gtk_widget_class_bind_template_child (widget_class, ClmrsHouseholdPage, supports_heading);
  gtk_widget_class_bind_template_child (widget_class, ClmrsHouseholdPage, supports_list);
  gtk_widget_class_bind_template_child (widget_class, ClmrsHouseholdPage, visits_list);
  gtk_widget_class_bind_template_callback (widget_class, back_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, new_visit_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, awareness_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, farm_visit_clicked_cb);
}

static void
clmrs_household_page_init (ClmrsHouseholdPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* a long head's name and community, whole at a phone's width */
  _clmrs_wrap_labels_under (GTK_WIDGET (self->title));

  gtk_list_box_set_placeholder (self->children_list, placeholder (_("No child recorded in this household")));
  gtk_list_box_set_placeholder (self->visits_list, placeholder (_("No visit finished yet")));
}

GtkWidget *
clmrs_household_page_new (void)
{
  return g_object_new (CLMRS_TYPE_HOUSEHOLD_PAGE, NULL);
}
