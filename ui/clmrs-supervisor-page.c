/* clmrs-supervisor-page.c: a supervisor's view: the unsynced queue by facilitator, visits to approve or return. */
#define G_LOG_DOMAIN "clmrs-supervisor-page"

#include "clmrs-rows-private.h"
#include "clmrs-i18n.h"
#include "config.h"

#include "clmrs-supervisor-page.h"
#include "clmrs-supervisor-page-private.h"
#include "clmrs-labels-private.h"

#include <glib/gi18n.h>

#include "outbox.h"

#include "clmrs-record-view.h"
#include "clmrs-sync-page.h"
#include "clmrs-window.h"

#define VISITS_LIMIT 200
#define LISTS_WIDTH  440   /* px, beside an open visit */

struct _ClmrsSupervisorPage
{
  AdwBin          parent_instance;

  /* Template widgets */
  AdwLeaflet     *leaflet;
  AdwClamp       *lists_clamp;
  AdwWindowTitle *title;
  GtkListBox     *queue_list;
  GtkListBox     *visits_list;
  AdwWindowTitle *visit_title;
  GtkStack       *visit_stack;
  ClmrsRecordView *record_view;
  GtkActionBar   *decision_bar;

  /* Owned references */
  ClmrsDbWorker  *worker;
  GCancellable   *cancellable;
  char           *person_id;
  GPtrArray      *visits;       /* of ClmrsVisitSummary, as listed */
  char           *open_visit_id;
  char           *decision;     /* the one being recorded */
  guint           n_busy;
  int             open_next;    /* after a decision at full width: the list index to open, or -1 */
};

G_DEFINE_FINAL_TYPE (ClmrsSupervisorPage, clmrs_supervisor_page, ADW_TYPE_BIN)

static void load_lists (ClmrsSupervisorPage *self);

static ClmrsWindow *
get_window (ClmrsSupervisorPage *self)
{
  return CLMRS_WINDOW (gtk_widget_get_ancestor (GTK_WIDGET (self), CLMRS_TYPE_WINDOW));
}

static void
toast (ClmrsSupervisorPage *self,
       const char          *text)
{
  ClmrsWindow *window = get_window (self);

  if (window != NULL)
    clmrs_window_show_toast (window, text);
}

static gboolean
job_failed (ClmrsSupervisorPage *self,
            GError              *error,
            const char          *what)
{
  if (error == NULL)
    return FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return TRUE;
  self->n_busy--;
  g_message ("%s: %s", what, error->message);
  toast (self, what);
  return TRUE;
}

/* --- the queue --- */

static void
queue_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(ClmrsSupervisorPage) self = user_data;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;

  rows = clmrs_db_worker_queue_finish (CLMRS_DB_WORKER (source), result, &error);
  if (job_failed (self, error, _("Could not read the records waiting to be sent")))
    return;
  self->n_busy--;
  _clmrs_list_remove_all (self->queue_list);
  if (rows->len == 0)
    gtk_list_box_append (self->queue_list, _clmrs_data_row (_("Everything has been sent"), NULL));
  for (guint i = 0; i < rows->len; i++)
    {
      ClmrsQueueRow *q = g_ptr_array_index (rows, i);
      g_autofree char *size = clmrs_i18n_format_size (q->bytes);
      g_autofree char *oldest = q->oldest ? clmrs_i18n_format_day (q->oldest) : NULL;
      g_autofree char *subtitle = NULL;
      g_autofree char *count = g_strdup_printf ("%" G_GINT64_FORMAT, q->queued);
      GtkWidget *row = adw_expander_row_new ();
      GtkWidget *label = gtk_label_new (count);

      if (oldest != NULL && _clmrs_days_since (q->oldest) >= CLMRS_SYNC_PAGE_LATE_DAYS)
        {
          gint64 days = _clmrs_days_since (q->oldest);

          /* kept only on that handheld for weeks: the supervisor sees whom
             to call, as the facilitator's Sync tab says it */
          subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · oldest %s, waiting for %d day",
                                                   "%s · oldest %s, waiting for %d days", (gulong) days),
                                      size, oldest, (int) days);
          gtk_widget_add_css_class (row, "waiting-late");
        }
      else if (oldest != NULL)
        /* Translators: "SIZE · oldest DATE" */
        subtitle = g_strdup_printf (_("%s · oldest %s"), size, oldest);
      else
        subtitle = g_strdup (size);
      if (q->rejected > 0)
        {
          g_autofree char *refused = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · %d refused", "%s · %d refused",
                                                                   (gulong) q->rejected),
                                                      subtitle, (int) q->rejected);

          g_free (subtitle);
          subtitle = g_steal_pointer (&refused);
        }
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), q->facilitator_name);
      adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), subtitle);
      gtk_widget_add_css_class (label, "title-3");
      gtk_accessible_update_property (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Records waiting"), -1);
      adw_expander_row_add_action (ADW_EXPANDER_ROW (row), label);

      {
        g_autofree char *n = g_strdup_printf ("%" G_GINT64_FORMAT, q->queued);
        GtkWidget *child = _clmrs_data_row (_("Records waiting"), NULL);

        adw_action_row_add_suffix (ADW_ACTION_ROW (child), gtk_label_new (n));
        adw_expander_row_add_row (ADW_EXPANDER_ROW (row), child);
      }
      if (q->last_error != NULL)
        {
          GtkWidget *child = _clmrs_data_row (_("Last problem"), q->last_error);

          adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (child), 3);
          adw_expander_row_add_row (ADW_EXPANDER_ROW (row), child);
        }
      for (guint j = 0; q->rejections != NULL && j < q->rejections->len; j++)
        {
          ClmrsRejection *r = g_ptr_array_index (q->rejections, j);
          g_autofree char *what = NULL;
          GtkWidget *child;

          g_autofree char *rev = g_strdup_printf ("%" G_GINT64_FORMAT, r->rev);

          /* Translators: "Refused: Visit, revision 2" */
          what = g_strdup_printf (_("Refused: %s, revision %s"), _clmrs_record_type_label (r->type), rev);
          child = _clmrs_data_row (what, r->reason && *r->reason ? r->reason : _("No reason given"));
          adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (child), 3);
          gtk_widget_add_css_class (child, "rejected-row");
          adw_expander_row_add_row (ADW_EXPANDER_ROW (row), child);
        }
      gtk_list_box_append (self->queue_list, row);
    }
}

/* --- visits to review --- */

/* Whom a visit is about: the child and their household for a follow-up or
 * a support, the household for a household visit, else the community
 * (an awareness session, a community profile) or the kind of visit. */
static char *
visit_title (const ClmrsVisitSummary *visit)
{
  if (visit->child != NULL && visit->household != NULL)
    /* Translators: "CHILD (HOUSEHOLD HEAD)" */
    return g_strdup_printf (_("%s (%s)"), visit->child, visit->household);
  if (visit->child != NULL)
    return g_strdup (visit->child);
  if (visit->household != NULL)
    return g_strdup (visit->household);
  if (visit->community != NULL && g_strcmp0 (visit->kind, "household") != 0)
    /* Translators: "KIND: COMMUNITY", e.g. "Awareness session: Kokoben" */
    return g_strdup_printf (_("%s: %s"), _clmrs_visit_kind_label (visit->kind), visit->community);
  return g_strdup (_clmrs_visit_kind_label (visit->kind));
}

static void
visits_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(ClmrsSupervisorPage) self = user_data;
  g_autoptr(GPtrArray) visits = NULL;
  g_autoptr(GError) error = NULL;

  visits = clmrs_db_worker_list_visits_finish (CLMRS_DB_WORKER (source), result, &error);
  if (job_failed (self, error, _("Could not read the visits to review")))
    return;
  self->n_busy--;
  _clmrs_list_remove_all (self->visits_list);
  g_clear_pointer (&self->visits, g_ptr_array_unref);
  self->visits = g_steal_pointer (&visits);
  if (self->visits->len == 0)
    {
      GtkWidget *row = _clmrs_data_row (_("No visit waits for review"), NULL);

      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
      gtk_list_box_append (self->visits_list, row);
    }
  for (guint i = 0; i < self->visits->len; i++)
    {
      ClmrsVisitSummary *visit = g_ptr_array_index (self->visits, i);
      g_autofree char *subtitle = NULL;
      GtkWidget *row;

      g_autofree char *title = visit_title (visit);
      g_autofree char *day = clmrs_i18n_format_day (visit->visit_date);

      /* Translators: "KIND · DATE · FACILITATOR · COMMUNITY", e.g.
       * "Follow-up visit · 2026-12-01 · Ama Mensah · Kokoben" */
      subtitle = g_strdup_printf (_("%s · %s · %s · %s"), _clmrs_visit_kind_label (visit->kind), day,
                                  visit->facilitator_name ? visit->facilitator_name : "",
                                  visit->community ? visit->community : "");
      if (visit->corrects != NULL)
        {
          /* Translators: a corrected visit in the supervisor's queue: "Correction · SUBTITLE" */
          char *marked = g_strdup_printf (_("Correction · %s"), subtitle);

          g_free (subtitle);
          subtitle = marked;
        }
      row = _clmrs_data_row (title, subtitle);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      gtk_list_box_append (self->visits_list, row);
    }
  if (self->open_next >= 0 && self->visits->len > 0)
    clmrs_supervisor_page_open_visit (self, MIN ((guint) self->open_next, self->visits->len - 1));
  self->open_next = -1;
}

static void
record_loaded_cb (ClmrsSupervisorPage *self)
{
  const ClmrsVisitSummary *visit = clmrs_record_view_get_visit (self->record_view);

  self->n_busy--;
  g_autofree char *title = visit_title (visit);
  g_autofree char *day = clmrs_i18n_format_day (visit->visit_date);
  g_autofree char *subtitle = NULL;

  /* Translators: "KIND · DATE", e.g. "Follow-up visit · 2026-12-01" */
  subtitle = g_strdup_printf (_("%s · %s"), _clmrs_visit_kind_label (visit->kind), day);
  adw_window_title_set_title (self->visit_title, title);
  adw_window_title_set_subtitle (self->visit_title, subtitle);
  gtk_action_bar_set_revealed (self->decision_bar, TRUE);
}

void
clmrs_supervisor_page_open_visit (ClmrsSupervisorPage *self,
                                  guint                index)
{
  ClmrsVisitSummary *visit;

  g_return_if_fail (CLMRS_IS_SUPERVISOR_PAGE (self));
  g_return_if_fail (self->visits != NULL && index < self->visits->len);

  visit = g_ptr_array_index (self->visits, index);
  g_free (self->open_visit_id);
  self->open_visit_id = g_strdup (visit->id);
  self->n_busy++;
  clmrs_record_view_load (self->record_view, self->worker, visit->id, clmrs_window_get_form_language (get_window (self)));
  gtk_stack_set_visible_child_name (self->visit_stack, "visit");
  adw_leaflet_set_visible_child_name (self->leaflet, "visit");
}

const char *
clmrs_supervisor_page_get_open_visit_id (ClmrsSupervisorPage *self)
{
  g_return_val_if_fail (CLMRS_IS_SUPERVISOR_PAGE (self), NULL);

  return self->open_visit_id;
}

static void
visit_activated_cb (ClmrsSupervisorPage *self,
                    GtkListBoxRow       *row)
{
  int index = gtk_list_box_row_get_index (row);

  if (self->visits != NULL && index >= 0 && (guint) index < self->visits->len)
    clmrs_supervisor_page_open_visit (self, index);
}

static void
close_visit (ClmrsSupervisorPage *self)
{
  g_clear_pointer (&self->open_visit_id, g_free);
  if (self->n_busy > 0 && clmrs_record_view_get_n_busy (self->record_view) > 0)
    self->n_busy--;
  clmrs_record_view_clear (self->record_view);
  gtk_action_bar_set_revealed (self->decision_bar, FALSE);
  gtk_stack_set_visible_child_name (self->visit_stack, "none");
  adw_window_title_set_title (self->visit_title, _("Visit"));
  adw_window_title_set_subtitle (self->visit_title, "");
  adw_leaflet_set_visible_child_name (self->leaflet, "lists");
}

static void
set_labels_wrap (GtkWidget *root,
                 gboolean   wrap)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LABEL (child))
        {
          gtk_label_set_wrap (GTK_LABEL (child), wrap);
          gtk_label_set_ellipsize (GTK_LABEL (child), wrap ? PANGO_ELLIPSIZE_NONE : PANGO_ELLIPSIZE_END);
        }
      set_labels_wrap (child, wrap);
    }
}

/* Beside a visit the lists take LISTS_WIDTH, never more: their natural
 * width capped, they no longer share the spare width with the visit's
 * pane, which moved them at every visit opened (at 1280 px: 630 px with
 * none open, 563 with a support record).  Folded, they take the window.
 * The visit's title wraps only when folded: asked its width for the
 * header's height, a wrapping label gives the narrowest that fits two
 * lines, and took two with room to spare ("Serwaa Osei (Osei" / "Osei)"). */
static void
leaflet_folded_cb (ClmrsSupervisorPage *self)
{
  gboolean folded = adw_leaflet_get_folded (self->leaflet);
  int width = folded ? 100000 : LISTS_WIDTH;


  if (self->lists_clamp == NULL || self->visit_title == NULL)   /* while the template is built */
    return;
  adw_clamp_set_maximum_size (self->lists_clamp, width);
  adw_clamp_set_tightening_threshold (self->lists_clamp, width);
  set_labels_wrap (GTK_WIDGET (self->visit_title), folded);
}

static void
back_clicked_cb (ClmrsSupervisorPage *self)
{
  close_visit (self);
}

/* --- decisions --- */

static void
review_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(ClmrsSupervisorPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!clmrs_db_worker_review_finish (CLMRS_DB_WORKER (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->n_busy--;
      toast (self, error->message);
      return;
    }
  self->n_busy--;
  toast (self, g_strcmp0 (self->decision, "approved") == 0 ? _("Visit approved")
                                                     : _("Visit returned to its facilitator"));
  close_visit (self);
  load_lists (self);
}

void
clmrs_supervisor_page_decide (ClmrsSupervisorPage *self,
                              const char          *decision,
                              const char          *message)
{
  g_return_if_fail (CLMRS_IS_SUPERVISOR_PAGE (self));
  g_return_if_fail (decision != NULL);

  if (self->open_visit_id == NULL || self->person_id == NULL)
    return;
  g_free (self->decision);
  self->decision = g_strdup (decision);
  /* at full width the next visit opens in the pane once the list is read
   * again, where this one was; folded, the list comes back instead */
  self->open_next = -1;
  if (!adw_leaflet_get_folded (self->leaflet) && self->visits != NULL)
    for (guint i = 0; i < self->visits->len; i++)
      if (g_strcmp0 (((ClmrsVisitSummary *) g_ptr_array_index (self->visits, i))->id, self->open_visit_id) == 0)
        self->open_next = (int) i;
  self->n_busy++;
  clmrs_db_worker_review_async (self->worker, self->open_visit_id, self->person_id, decision, message,
                                self->cancellable, review_cb, g_object_ref (self));
}

static void
approve_clicked_cb (ClmrsSupervisorPage *self)
{
  clmrs_supervisor_page_decide (self, "approved", NULL);
}

static char *
return_message_text (GtkTextBuffer *buffer)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return g_strstrip (gtk_text_buffer_get_text (buffer, &start, &end, FALSE));
}

static void
return_message_changed_cb (GtkTextBuffer    *buffer,
                           AdwMessageDialog *dialog)
{
  g_autofree char *text = return_message_text (buffer);

  adw_message_dialog_set_response_enabled (dialog, "return", *text != '\0');
}

static void
return_response_cb (AdwMessageDialog    *dialog,
                    const char          *response,
                    ClmrsSupervisorPage *self)
{
  GtkTextBuffer *buffer = g_object_get_data (G_OBJECT (dialog), "message");
  g_autofree char *text = return_message_text (buffer);

  if (g_str_equal (response, "return") && *text != '\0')
    clmrs_supervisor_page_decide (self, "returned", text);
}

static void
return_clicked_cb (ClmrsSupervisorPage *self)
{
  GtkWidget *dialog;
  GtkWidget *scrolled;
  GtkWidget *view;

  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                   _("Return the Visit?"),
                                   _("The facilitator sees your message on their home page and on the visit, and records what is missing in a new visit. Say what must be corrected, one point per line."));
  /* several lines: a supervisor often lists more than one correction */
  view = gtk_text_view_new ();
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 8);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Message to the facilitator"), -1);
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scrolled), 120);
  gtk_scrolled_window_set_has_frame (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), scrolled);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "return", _("_Return"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "return", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "return", FALSE);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "message", gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)));
  g_signal_connect (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), "changed",
                    G_CALLBACK (return_message_changed_cb), dialog);
  g_signal_connect_object (dialog, "response", G_CALLBACK (return_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (view);
}

/* --- the page --- */

static void
load_lists (ClmrsSupervisorPage *self)
{
  self->n_busy += 2;
  clmrs_db_worker_queue_async (self->worker, self->cancellable, queue_cb, g_object_ref (self));
  clmrs_db_worker_list_visits_async (self->worker, "pending", NULL, VISITS_LIMIT, self->cancellable,
                                     visits_cb, g_object_ref (self));
}

void
clmrs_supervisor_page_start (ClmrsSupervisorPage *self,
                             ClmrsDbWorker       *worker,
                             const char          *person_id,
                             const char          *person_name)
{
  g_return_if_fail (CLMRS_IS_SUPERVISOR_PAGE (self));
  g_return_if_fail (CLMRS_IS_DB_WORKER (worker));
  g_return_if_fail (person_id != NULL);

  clmrs_supervisor_page_stop (self);
  self->cancellable = g_cancellable_new ();
  g_set_object (&self->worker, worker);
  self->person_id = g_strdup (person_id);
  adw_window_title_set_subtitle (self->title, person_name);
  close_visit (self);
  _clmrs_scroll_to_top (GTK_WIDGET (self));
  load_lists (self);
}

void
clmrs_supervisor_page_stop (ClmrsSupervisorPage *self)
{
  g_return_if_fail (CLMRS_IS_SUPERVISOR_PAGE (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->n_busy = 0;
  g_clear_pointer (&self->person_id, g_free);
  g_clear_pointer (&self->open_visit_id, g_free);
  clmrs_record_view_clear (self->record_view);
}

guint
clmrs_supervisor_page_get_n_busy (ClmrsSupervisorPage *self)
{
  g_return_val_if_fail (CLMRS_IS_SUPERVISOR_PAGE (self), 0);

  return self->n_busy;
}

GtkListBox *
clmrs_supervisor_page_get_list (ClmrsSupervisorPage *self,
                                const char          *name)
{
  g_return_val_if_fail (CLMRS_IS_SUPERVISOR_PAGE (self), NULL);

  if (g_strcmp0 (name, "queue") == 0)
    return self->queue_list;
  if (g_strcmp0 (name, "visits") == 0)
    return self->visits_list;
  return NULL;
}

static void
clmrs_supervisor_page_dispose (GObject *object)
{
  ClmrsSupervisorPage *self = (ClmrsSupervisorPage *) object;

  clmrs_supervisor_page_stop (self);
  g_clear_object (&self->worker);
  g_clear_pointer (&self->visits, g_ptr_array_unref);
  g_clear_pointer (&self->decision, g_free);

  G_OBJECT_CLASS (clmrs_supervisor_page_parent_class)->dispose (object);
}

static void
clmrs_supervisor_page_class_init (ClmrsSupervisorPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = clmrs_supervisor_page_dispose;

  g_type_ensure (CLMRS_TYPE_RECORD_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/clmrs/Field/clmrs-supervisor-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ClmrsSupervisorPage, leaflet);
  gtk_widget_class_bind_template_child (widget_class, ClmrsSupervisorPage, lists_clamp);
  gtk_widget_class_bind_template_child (widget_class, ClmrsSupervisorPage, title);
  gtk_widget_class_bind_template_child (widget_class, ClmrsSupervisorPage, queue_list);
  gtk_widget_class_bind_template_child (widget_class, ClmrsSupervisorPage, visits_list);
  gtk_widget_class_bind_template_child (widget_class, ClmrsSupervisorPage, visit_title);
  gtk_widget_class_bind_template_child (widget_class, ClmrsSupervisorPage, visit_stack);
  gtk_widget_class_bind_template_child (widget_class, ClmrsSupervisorPage, record_view);
  gtk_widget_class_bind_template_callback (widget_class, record_loaded_cb);
  gtk_widget_class_bind_template_child (widget_class, ClmrsSupervisorPage, decision_bar);
  gtk_widget_class_bind_template_callback (widget_class, visit_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, back_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, leaflet_folded_cb);
  gtk_widget_class_bind_template_callback (widget_class, approve_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, return_clicked_cb);
}

static void
clmrs_supervisor_page_init (ClmrsSupervisorPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* the visit's household, kind and date, whole at a phone's width
     ("Household visit · 7 De…") */
  _clmrs_wrap_labels_under (GTK_WIDGET (self->visit_title));
  leaflet_folded_cb (self);
  self->open_next = -1;
}

GtkWidget *
clmrs_supervisor_page_new (void)
{
  return g_object_new (CLMRS_TYPE_SUPERVISOR_PAGE, NULL);
}
