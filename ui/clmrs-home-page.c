/* clmrs-home-page.c: a facilitator's home: households, follow-ups due, messages, sync, indicators. */
#define G_LOG_DOMAIN "clmrs-home-page"

#include "clmrs-rows-private.h"
#include "clmrs-i18n.h"
#include "config.h"

#include "clmrs-home-page.h"
#include "clmrs-home-page-private.h"
#include "clmrs-db-worker-drafts.h"
#include "clmrs-sync-page-private.h"
#include "clmrs-labels-private.h"

#include <glib/gi18n.h>

#include "casebook.h"
#include "outbox.h"
#include "util.h"

#include "clmrs-household-model.h"
#include "clmrs-month-chart.h"
#include "clmrs-sync-page.h"
#include "clmrs-window.h"

#define FOLLOW_UP_HORIZON_DAYS 14
#define LIST_LIMIT 200

struct _ClmrsHomePage
{
  AdwBin                parent_instance;

  /* Template widgets */
  AdwViewStack         *stack;
  GtkSearchEntry       *search_entry;
  GtkStack             *households_stack;
  GtkListView          *households_view;
  AdwViewStackPage     *follow_ups_page;
  GtkStack             *follow_ups_stack;
  GtkListBox           *follow_ups_list;
  AdwViewStackPage     *messages_page;
  GtkStack             *messages_stack;
  GtkListBox           *messages_list;
  ClmrsSyncPage        *sync_page;
  GtkFlowBox           *figures_box;
  ClmrsMonthChart      *chart;
  AdwToastOverlay      *toast_overlay;
  GtkRevealer          *draft_revealer;
  GtkRevealer          *pick_revealer;
  GtkLabel             *draft_label;
  GtkListBox           *drafts_list;
  GtkRevealer          *refresh_revealer;
  GtkWidget            *content_box;
  GtkWidget            *loading_spinner;

  /* Owned references */
  ClmrsDbWorker        *worker;
  ClmrsHouseholdModel  *households;
  GCancellable         *cancellable;
  char                 *person_id;
  char                 *draft_id;      /* the newest unfinished visit */
  char                 *pick_form;     /* a household tapped starts this form, not a visit */
  /* what the lists show, as read: a window built again in another
     language shows them again without reading them */
  GPtrArray            *due_items;
  GPtrArray            *drafts;
  GPtrArray            *returned;
  JsonNode             *indicators;
  guint                 n_busy;
  guint                 refresh_shown_source;  /* shows the refresh's progress unless it is quick */
  gboolean              refreshing;      /* the daily case refresh runs: no due date is final */
  guint                 loading_shown_source;
  gboolean              loading;         /* home's first lists are not back: it takes no tap */
  gboolean          scroll_to_top;   /* after a sign-in, until the households are back */
};

G_DEFINE_FINAL_TYPE (ClmrsHomePage, clmrs_home_page, ADW_TYPE_BIN)

static void
job_done (ClmrsHomePage *self)
{
  g_assert (self->n_busy > 0);
  self->n_busy--;
}

static gboolean
job_failed (ClmrsHomePage *self,
            GError        *error,
            const char    *what)
{
  ClmrsWindow *window;

  if (error == NULL)
    return FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return TRUE;
  job_done (self);
  window = CLMRS_WINDOW (gtk_widget_get_ancestor (GTK_WIDGET (self), CLMRS_TYPE_WINDOW));
  g_message ("%s: %s", what, error->message);
  if (window != NULL)
    clmrs_window_show_toast (window, what);
  return TRUE;
}

/* --- households --- */

static void
household_row_update (GtkListItem *list_item)
{
  ClmrsHousehold *household = gtk_list_item_get_item (list_item);
  GtkWidget *box = gtk_list_item_get_child (list_item);
  AdwAvatar *avatar = g_object_get_data (G_OBJECT (box), "avatar");
  GtkLabel *title = g_object_get_data (G_OBJECT (box), "title");
  GtkLabel *subtitle = g_object_get_data (G_OBJECT (box), "subtitle");
  g_autofree char *details = NULL;

  if (household == NULL || !clmrs_household_get_loaded (household))
    {
      adw_avatar_set_text (avatar, NULL);
      gtk_label_set_label (title, "…");
      gtk_label_set_label (subtitle, "");
      return;
    }
  details = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · %d child", "%s · %d children",
                                          clmrs_household_get_n_children (household)),
                             clmrs_household_get_community (household) ? clmrs_household_get_community (household) : "",
                             clmrs_household_get_n_children (household));
  adw_avatar_set_text (avatar, clmrs_household_get_head_name (household));
  gtk_label_set_label (title, clmrs_household_get_head_name (household));
  gtk_label_set_label (subtitle, details);
}

static void
household_loaded_cb (ClmrsHousehold *household,
                     GParamSpec     *pspec,
                     GtkListItem    *list_item)
{
  household_row_update (list_item);
}

static void
household_setup_cb (GtkSignalListItemFactory *factory,
                    GtkListItem              *list_item,
                    ClmrsHomePage            *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *avatar = adw_avatar_new (40, NULL, TRUE);
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *subtitle = gtk_label_new (NULL);
  GtkWidget *arrow = gtk_image_new_from_icon_name ("go-next-symbolic");

  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (subtitle), 0);
  gtk_label_set_ellipsize (GTK_LABEL (subtitle), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (title, "heading");
  gtk_widget_add_css_class (subtitle, "dim-label");
  gtk_widget_set_hexpand (labels, TRUE);
  gtk_widget_set_valign (labels, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (labels), title);
  gtk_box_append (GTK_BOX (labels), subtitle);
  gtk_box_append (GTK_BOX (box), avatar);
  gtk_box_append (GTK_BOX (box), labels);
  gtk_box_append (GTK_BOX (box), arrow);
  gtk_widget_add_css_class (box, "household-row");
  /* GTK 4.8 cannot label the list item itself: its content speaks for it */
  gtk_accessible_update_relation (GTK_ACCESSIBLE (box), GTK_ACCESSIBLE_RELATION_LABELLED_BY, title, subtitle, NULL, -1);
  g_object_set_data (G_OBJECT (box), "avatar", avatar);
  g_object_set_data (G_OBJECT (box), "title", title);
  g_object_set_data (G_OBJECT (box), "subtitle", subtitle);
  gtk_list_item_set_child (list_item, box);
}

static void
household_bind_cb (GtkSignalListItemFactory *factory,
                   GtkListItem              *list_item,
                   ClmrsHomePage            *self)
{
  ClmrsHousehold *household = gtk_list_item_get_item (list_item);

  g_signal_connect (household, "notify::loaded", G_CALLBACK (household_loaded_cb), list_item);
  household_row_update (list_item);
}

static void
household_unbind_cb (GtkSignalListItemFactory *factory,
                     GtkListItem              *list_item,
                     ClmrsHomePage            *self)
{
  ClmrsHousehold *household = gtk_list_item_get_item (list_item);

  g_signal_handlers_disconnect_by_func (household, household_loaded_cb, list_item);
}

static void
households_changed_cb (ClmrsHomePage *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->households));

  gtk_stack_set_visible_child_name (self->households_stack, n > 0 ? "list" : "empty");
  /* the list view keeps its place across a reload: a new sign-in starts
     at the top once the first households are back */
  if (n > 0 && self->scroll_to_top)
    {
      self->scroll_to_top = FALSE;
      /* the list view keeps an anchor item, not a scroll offset */
      gtk_widget_activate_action (GTK_WIDGET (self->households_view), "list.scroll-to-item", "u", 0);
    }
}

static void
search_changed_cb (ClmrsHomePage *self)
{
  if (self->households != NULL)
    clmrs_household_model_search (self->households, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
}

void
clmrs_home_page_search (ClmrsHomePage *self,
                        const char    *text)
{
  g_return_if_fail (CLMRS_IS_HOME_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text);
  search_changed_cb (self);
}

static void
household_activated_cb (ClmrsHomePage *self,
                        guint          position)
{
  g_autoptr(ClmrsHousehold) household = g_list_model_get_item (G_LIST_MODEL (self->households), position);
  ClmrsWindow *window = CLMRS_WINDOW (gtk_widget_get_ancestor (GTK_WIDGET (self), CLMRS_TYPE_WINDOW));

  g_autofree char *form_id = NULL;

  /* the household first (who lives there, what happened before), or the
     form a household was being chosen for */
  if (household == NULL || !clmrs_household_get_loaded (household) || window == NULL)
    return;
  form_id = g_steal_pointer (&self->pick_form);
  gtk_revealer_set_reveal_child (self->pick_revealer, FALSE);
  if (form_id != NULL)
    clmrs_window_start_visit (window, form_id, clmrs_household_get_id (household));
  else
    clmrs_window_open_household (window, clmrs_household_get_id (household));
}

void
clmrs_home_page_pick_household (ClmrsHomePage *self,
                                const char    *form_id)
{
  g_return_if_fail (CLMRS_IS_HOME_PAGE (self));

  g_free (self->pick_form);
  self->pick_form = g_strdup (form_id);
  gtk_revealer_set_reveal_child (self->pick_revealer, form_id != NULL);
  if (form_id != NULL)
    {
      adw_view_stack_set_visible_child_name (self->stack, "households");
      gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
    }
}

static void
pick_cancel_clicked_cb (ClmrsHomePage *self)
{
  clmrs_home_page_pick_household (self, NULL);
}

static void
awareness_response_cb (AdwMessageDialog *dialog,
                       const char       *response,
                       ClmrsHomePage    *self)
{
  ClmrsWindow *window = CLMRS_WINDOW (gtk_widget_get_ancestor (GTK_WIDGET (self), CLMRS_TYPE_WINDOW));

  if (g_str_equal (response, "household"))
    clmrs_home_page_pick_household (self, "awareness_session");
  else if (g_str_equal (response, "group") && window != NULL)
    clmrs_window_start_visit (window, "awareness_session", NULL);
}

/* A session for one household needs the household first: the form has no
 * question for it (it is filled from the household chosen). */
static void
awareness_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ClmrsHomePage *self = CLMRS_HOME_PAGE (widget);
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)),
                                   _("Who Is the Session For?"), NULL);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "household", _("_One Household"),
                                    "group", _("_Community or School"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "group", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "group");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (awareness_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* --- follow-ups --- */

/* A follow-up visit of the child, filled from its history. */
static void
follow_up_activated_cb (AdwActionRow  *row,
                        ClmrsHomePage *self)
{
  ClmrsWindow *window = CLMRS_WINDOW (gtk_widget_get_ancestor (GTK_WIDGET (self), CLMRS_TYPE_WINDOW));
  ClmrsVisitRequest request = {
    .form_id = "follow_up_visit",
    .child_id = g_object_get_data (G_OBJECT (row), "child-id"),
    .household_id = g_object_get_data (G_OBJECT (row), "household-id"),
  };

  if (window != NULL)
    clmrs_window_open_visit (window, &request);
}

static void show_follow_ups (ClmrsHomePage *self, GPtrArray *items);

static void
follow_ups_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(ClmrsHomePage) self = user_data;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;

  items = clmrs_db_worker_follow_ups_due_finish (CLMRS_DB_WORKER (source), result, &error);
  if (job_failed (self, error, _("Could not read the follow-ups due")))
    return;
  job_done (self);
  show_follow_ups (self, items);
}

static void
show_follow_ups (ClmrsHomePage *self,
                 GPtrArray     *items)
{
  guint late = 0;

  g_clear_pointer (&self->due_items, g_ptr_array_unref);
  self->due_items = g_ptr_array_ref (items);
  _clmrs_list_remove_all (self->follow_ups_list);
  for (guint i = 0; i < items->len; i++)
    {
      ClmrsDueItem *item = g_ptr_array_index (items, i);
      g_autofree char *subtitle = NULL;
      g_autofree char *when = NULL;
      g_autofree char *due = clmrs_i18n_format_day (item->next_due);
      GtkWidget *row, *label;

      if (g_strcmp0 (item->status, "exited") == 0)
        /* Translators: a child out of child labour, visited once a year until 18:
           "household of HEAD · COMMUNITY · yearly visit due DATE" */
        subtitle = g_strdup_printf (_("Household of %s · %s · yearly visit due %s"),
                                    item->head_name, item->community ? item->community : "", due);
      else
        /* Translators: "household of HEAD · COMMUNITY · due DATE" */
        subtitle = g_strdup_printf (_("Household of %s · %s · due %s"),
                                    item->head_name, item->community ? item->community : "", due);
      row = _clmrs_data_row (item->child_name, subtitle);
      if (item->days_late > 0)
        {
          late++;
          when = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d day late", "%d days late", item->days_late),
                                  item->days_late);
        }
      else if (item->days_late == 0)
        when = g_strdup (_("Due today"));
      else
        when = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "In %d day", "In %d days", -item->days_late),
                                -item->days_late);
      label = gtk_label_new (when);
      gtk_widget_add_css_class (label, item->days_late > 0 ? "late" : "due-soon");
      gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
      gtk_widget_add_css_class (row, "tall-row");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data_full (G_OBJECT (row), "child-id", g_strdup (item->child_id), g_free);
      g_object_set_data_full (G_OBJECT (row), "household-id", g_strdup (item->household_id), g_free);
      g_signal_connect (row, "activated", G_CALLBACK (follow_up_activated_cb), self);
      gtk_list_box_append (self->follow_ups_list, row);
    }
  adw_view_stack_page_set_badge_number (self->follow_ups_page, late);
  adw_view_stack_page_set_needs_attention (self->follow_ups_page, late > 0);
  gtk_stack_set_visible_child_name (self->follow_ups_stack, items->len > 0 ? "list" : "empty");
}

/* --- visits left unfinished --- */

static void load_drafts (ClmrsHomePage *self);

static gpointer
drafts_job (ClmrsStore    *store,
            gpointer       user_data,
            GCancellable  *cancellable,
            GError       **error)
{
  return clmrs_casebook_drafts (store, user_data, error);
}

/* What the draft is, in words: "Follow-up visit: Yaw (Kofi Boateng)". */
static char *
draft_title (const ClmrsDraftItem *draft)
{
  const char *kind;

  if (g_strcmp0 (draft->kind, "household") == 0 && draft->head_name == NULL)
    kind = _("New household visit");
  else
    kind = _clmrs_visit_kind_label (draft->kind);

  if (draft->child_name != NULL && draft->head_name != NULL)
    /* Translators: "KIND: CHILD (HOUSEHOLD HEAD)", e.g. "Follow-up visit: Yaw (Kofi Boateng)" */
    return g_strdup_printf (_("%s: %s (%s)"), kind, draft->child_name, draft->head_name);
  if (draft->child_name != NULL || draft->head_name != NULL)
    /* Translators: "KIND: WHOM", e.g. "Household visit: Kofi Boateng" */
    return g_strdup_printf (_("%s: %s"), kind, draft->child_name ? draft->child_name : draft->head_name);
  return g_strdup (kind);
}

/* "Started 3 Feb 2025, 08:00", in local time. */
static char *
draft_subtitle (const ClmrsDraftItem *draft)
{
  g_autoptr(GDateTime) started = clmrs_time_parse_rfc3339 (draft->started);
  g_autofree char *when = started ? clmrs_i18n_format_day_time (started) : g_strdup (draft->started);

  /* Translators: when an unfinished visit was started, "Started 3 Feb 2025, 08:00" */
  return g_strdup_printf (_("Started %s"), when ? when : "");
}

static void
discard_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(ClmrsHomePage) self = user_data;
  g_autoptr(GError) error = NULL;

  clmrs_db_worker_discard_draft_finish (CLMRS_DB_WORKER (source), result, &error);
  if (job_failed (self, error, _("Could not discard the unfinished visit")))
    return;
  job_done (self);
  load_drafts (self);
}

static void
discard_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     ClmrsHomePage    *self)
{
  const char *visit_id = g_object_get_data (G_OBJECT (dialog), "visit-id");

  if (!g_str_equal (response, "discard") || self->worker == NULL || self->cancellable == NULL)
    return;
  self->n_busy++;
  clmrs_db_worker_discard_draft_async (self->worker, visit_id, self->cancellable, discard_cb, g_object_ref (self));
}

/* Discarding erases the answers for good: asked first. */
static void
draft_discard_clicked_cb (GtkButton     *button,
                          ClmrsHomePage *self)
{
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                   _("Discard the Unfinished Visit?"),
                                   g_object_get_data (G_OBJECT (button), "title"));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Keep"),
                                    "discard", _("_Discard"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "discard", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "visit-id",
                          g_strdup (g_object_get_data (G_OBJECT (button), "visit-id")), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (discard_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
draft_row_activated_cb (AdwActionRow  *row,
                        ClmrsHomePage *self)
{
  ClmrsWindow *window = CLMRS_WINDOW (gtk_widget_get_ancestor (GTK_WIDGET (self), CLMRS_TYPE_WINDOW));
  g_autofree char *draft_id = g_strdup (g_object_get_data (G_OBJECT (row), "visit-id"));
  ClmrsVisitRequest request = { .draft_id = draft_id };

  if (window != NULL && draft_id != NULL)
    clmrs_window_open_visit (window, &request);
}

/* One row each: whose ("Yaw (Kofi Boateng)") over what ("Follow-up
 * visit"), when it was started in its tooltip; the row continues it, a
 * button discards it.  At a phone's width the households stay in view
 * below. */
static GtkWidget *
draft_row (ClmrsHomePage        *self,
           const ClmrsDraftItem *draft)
{
  g_autofree char *title = draft_title (draft);
  g_autofree char *started = draft_subtitle (draft);
  g_autofree char *whose = NULL;
  const char *kind = g_strcmp0 (draft->kind, "household") == 0 && draft->head_name == NULL
                     ? _("New household visit") : _clmrs_visit_kind_label (draft->kind);
  GtkWidget *row, *discard;

  if (draft->child_name != NULL && draft->head_name != NULL)
    /* Translators: an unfinished visit's child and household head, "Yaw (Kofi Boateng)" */
    whose = g_strdup_printf (_("%s (%s)"), draft->child_name, draft->head_name);
  else if (draft->child_name != NULL || draft->head_name != NULL)
    whose = g_strdup (draft->child_name ? draft->child_name : draft->head_name);
  /* nobody named yet (a new household): what it is, and when */
  row = whose != NULL ? _clmrs_data_row (whose, kind) : _clmrs_data_row (kind, started);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 1);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 1);
  gtk_widget_set_tooltip_text (row, started);
  gtk_widget_add_css_class (row, "draft-row");
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_signal_connect (row, "activated", G_CALLBACK (draft_row_activated_cb), self);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  _("Continue the unfinished visit"), -1);

  discard = gtk_button_new_from_icon_name ("user-trash-symbolic");
  gtk_widget_set_valign (discard, GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (discard, 48, 48);
  gtk_widget_set_tooltip_text (discard, _("Discard"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (discard), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Discard the unfinished visit"), -1);
  gtk_widget_add_css_class (discard, "flat");
  g_object_set_data_full (G_OBJECT (discard), "visit-id", g_strdup (draft->visit_id), g_free);
  g_object_set_data_full (G_OBJECT (discard), "title", g_strdup (title), g_free);
  g_signal_connect (discard, "clicked", G_CALLBACK (draft_discard_clicked_cb), self);

  adw_action_row_add_suffix (ADW_ACTION_ROW (row), discard);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
  g_object_set_data_full (G_OBJECT (row), "visit-id", g_strdup (draft->visit_id), g_free);
  g_object_set_data_full (G_OBJECT (row), "title", g_strdup (title), g_free);
  return row;
}

static void show_drafts (ClmrsHomePage *self, GPtrArray *drafts);

static void
drafts_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(ClmrsHomePage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) drafts = NULL;

  drafts = clmrs_db_worker_run_finish (CLMRS_DB_WORKER (source), result, &error);
  if (job_failed (self, error, _("Could not read the unfinished visits")))
    return;
  job_done (self);
  show_drafts (self, drafts);
}

static void
show_drafts (ClmrsHomePage *self,
             GPtrArray     *drafts)
{
  g_clear_pointer (&self->drafts, g_ptr_array_unref);
  self->drafts = g_ptr_array_ref (drafts);
  _clmrs_list_remove_all (self->drafts_list);
  g_clear_pointer (&self->draft_id, g_free);
  for (guint i = 0; i < drafts->len; i++)
    gtk_list_box_append (self->drafts_list, draft_row (self, g_ptr_array_index (drafts, i)));
  if (drafts->len > 0)
    {
      g_autofree char *heading = NULL;

      self->draft_id = g_strdup (((ClmrsDraftItem *) g_ptr_array_index (drafts, 0))->visit_id);
      heading = g_strdup_printf (ngettext ("%u unfinished visit", "%u unfinished visits", drafts->len), drafts->len);
      gtk_label_set_label (self->draft_label, heading);
    }
  gtk_revealer_set_reveal_child (self->draft_revealer, drafts->len > 0);
}

/* Every unfinished visit of the person signed in, the last touched first:
 * an older one is never hidden behind a newer one. */
static void
load_drafts (ClmrsHomePage *self)
{
  if (self->worker == NULL || self->cancellable == NULL || self->person_id == NULL)
    return;
  self->n_busy++;
  clmrs_db_worker_run_async (self->worker, drafts_job, g_strdup (self->person_id), g_free,
                             (GDestroyNotify) g_ptr_array_unref, self->cancellable,
                             drafts_cb, g_object_ref (self));
}

/* --- messages --- */

/* The returned visit, read-only, with its message. */
static void
message_activated_cb (AdwActionRow  *row,
                      ClmrsHomePage *self)
{
  ClmrsWindow *window = CLMRS_WINDOW (gtk_widget_get_ancestor (GTK_WIDGET (self), CLMRS_TYPE_WINDOW));
  const char *visit_id = g_object_get_data (G_OBJECT (row), "visit-id");

  if (window != NULL && visit_id != NULL)
    clmrs_window_open_record (window, visit_id);
}

static void show_messages (ClmrsHomePage *self, GPtrArray *visits);

static void
messages_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(ClmrsHomePage) self = user_data;
  g_autoptr(GPtrArray) visits = NULL;
  g_autoptr(GError) error = NULL;

  visits = clmrs_db_worker_list_visits_finish (CLMRS_DB_WORKER (source), result, &error);
  if (job_failed (self, error, _("Could not read the messages")))
    return;
  job_done (self);
  show_messages (self, visits);
}

static void
show_messages (ClmrsHomePage *self,
               GPtrArray     *visits)
{
  g_clear_pointer (&self->returned, g_ptr_array_unref);
  self->returned = g_ptr_array_ref (visits);
  _clmrs_list_remove_all (self->messages_list);
  for (guint i = 0; i < visits->len; i++)
    {
      ClmrsVisitSummary *visit = g_ptr_array_index (visits, i);
      g_autofree char *title = NULL;
      g_autofree char *day = clmrs_i18n_format_day (visit->visit_date);
      GtkWidget *row;

      /* Translators: "HOUSEHOLD HEAD, visit of DATE" */
      title = g_strdup_printf (_("%s, visit of %s"),
                               visit->household ? visit->household : visit->community ? visit->community : "",
                               day);
      row = _clmrs_data_row (title, visit->review_message ? visit->review_message : _("No message"));
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 4);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("mail-unread-symbolic"));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
      gtk_widget_add_css_class (row, "tall-row");
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data_full (G_OBJECT (row), "visit-id", g_strdup (visit->id), g_free);
      g_signal_connect (row, "activated", G_CALLBACK (message_activated_cb), self);
      gtk_list_box_append (self->messages_list, row);
    }
  adw_view_stack_page_set_badge_number (self->messages_page, visits->len);
  adw_view_stack_page_set_needs_attention (self->messages_page, visits->len > 0);
  gtk_stack_set_visible_child_name (self->messages_stack, visits->len > 0 ? "list" : "empty");
}

/* --- indicators --- */

static void
add_figure (ClmrsHomePage *self,
            const char    *value,
            const char    *caption)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *number = gtk_label_new (value);
  GtkWidget *label = gtk_label_new (caption);

  gtk_widget_add_css_class (box, "card");
  gtk_widget_add_css_class (box, "figure");
  gtk_widget_add_css_class (number, "title-1");
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
  gtk_widget_add_css_class (label, "caption");
  gtk_box_append (GTK_BOX (box), number);
  gtk_box_append (GTK_BOX (box), label);
  gtk_flow_box_append (self->figures_box, box);
}

static void
clear_figures (ClmrsHomePage *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->figures_box))) != NULL)
    gtk_flow_box_remove (self->figures_box, child);
}

static char *
percent_text (JsonObject *root,
              const char *member)
{
  JsonObject *ratio = json_object_has_member (root, member) ? json_object_get_object_member (root, member) : NULL;
  JsonNode *percent = ratio != NULL ? json_object_get_member (ratio, "percent") : NULL;

  if (percent == NULL || JSON_NODE_HOLDS_NULL (percent))
    return g_strdup ("–");
  return g_strdup_printf ("%.0f%%", json_node_get_double (percent));
}

static void show_indicators (ClmrsHomePage *self, JsonNode *node);

static void
indicators_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(ClmrsHomePage) self = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  node = clmrs_db_worker_indicators_finish (CLMRS_DB_WORKER (source), result, &error);
  if (job_failed (self, error, _("Could not compute the indicators")))
    return;
  job_done (self);
  show_indicators (self, node);
}

static void
show_indicators (ClmrsHomePage *self,
                 JsonNode      *node)
{
  g_autoptr(GList) months = NULL;
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  g_autoptr(GArray) percents = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *households = NULL;
  g_autofree char *children = NULL;
  g_autofree char *identified = NULL;
  g_autofree char *hazardous = NULL;
  g_autofree char *worst = NULL;
  g_autofree char *supported = NULL;
  JsonObject *root, *cases, *by_month;
  guint skip;

  g_clear_pointer (&self->indicators, json_node_unref);
  self->indicators = json_node_ref (node);
  clear_figures (self);
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return;
  root = json_node_get_object (node);
  households = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member_with_default (root, "households_covered", 0));
  children = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member_with_default (root, "children_monitored", 0));
  identified = percent_text (root, "children_identified");
  hazardous = percent_text (root, "hazardous_child_labour");
  worst = percent_text (root, "worst_forms");
  cases = json_object_has_member (root, "cases") ? json_object_get_object_member (root, "cases") : NULL;
  supported = cases != NULL ? percent_text (cases, "support_coverage") : g_strdup ("–");

  add_figure (self, households, _("households visited"));
  add_figure (self, children, _("children monitored"));
  add_figure (self, identified, _("found in child labour"));
  add_figure (self, hazardous, _("in hazardous work"));
  add_figure (self, worst, _("worst forms"));
  add_figure (self, supported, _("cases supported"));

  /* the chart: the last 12 months with data */
  by_month = NULL;
  if (json_object_has_member (root, "breakdowns"))
    {
      JsonObject *breakdowns = json_object_get_object_member (root, "breakdowns");

      if (breakdowns != NULL && json_object_has_member (breakdowns, "by_month"))
        by_month = json_object_get_object_member (breakdowns, "by_month");
    }
  if (by_month != NULL)
    {
      months = json_object_get_members (by_month);
      months = g_list_sort (months, (GCompareFunc) g_strcmp0);
    }
  skip = g_list_length (months) > 12 ? g_list_length (months) - 12 : 0;
  for (GList *l = months; l != NULL; l = l->next)
    {
      JsonObject *month = json_object_get_object_member (by_month, l->data);
      JsonObject *ratio;
      double value = -1;

      if (g_str_equal (l->data, "unknown") || skip > 0)
        {
          if (skip > 0)
            skip--;
          continue;
        }
      ratio = month && json_object_has_member (month, "children_identified")
              ? json_object_get_object_member (month, "children_identified") : NULL;
      if (ratio != NULL && json_object_has_member (ratio, "percent") &&
          !json_node_is_null (json_object_get_member (ratio, "percent")))
        value = json_object_get_double_member (ratio, "percent");
      g_ptr_array_add (labels, l->data);
      g_array_append_val (percents, value);
    }
  clmrs_month_chart_set_values (self->chart, (const char * const *) labels->pdata,
                                (const double *) (gpointer) percents->data, labels->len);
}

/* --- the daily case refresh --- */

/* A refresh that is not needed takes a millisecond: its progress shows
 * only when it takes longer, not as a flash at every sign-in. */
#define PROGRESS_AFTER_MS 300

static gboolean
show_refresh_cb (gpointer user_data)
{
  ClmrsHomePage *self = user_data;

  self->refresh_shown_source = 0;
  gtk_revealer_set_reveal_child (self->refresh_revealer, self->refreshing);
  return G_SOURCE_REMOVE;
}

static void
set_refreshing (ClmrsHomePage *self,
                gboolean       refreshing)
{
  self->refreshing = refreshing;
  g_clear_handle_id (&self->refresh_shown_source, g_source_remove);
  if (refreshing)
    {
      gtk_stack_set_visible_child_name (self->follow_ups_stack, "updating");
      self->refresh_shown_source = g_timeout_add (PROGRESS_AFTER_MS, show_refresh_cb, self);
    }
  else
    gtk_revealer_set_reveal_child (self->refresh_revealer, FALSE);
}

/* The lists that read the cases, once they are current. */
static void
load_case_lists (ClmrsHomePage *self)
{
  self->n_busy += 2;
  clmrs_db_worker_follow_ups_due_async (self->worker, FOLLOW_UP_HORIZON_DAYS, LIST_LIMIT, self->cancellable,
                                        follow_ups_cb, g_object_ref (self));
  clmrs_db_worker_indicators_async (self->worker, self->cancellable, indicators_cb, g_object_ref (self));
}

static void
refresh_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(ClmrsHomePage) self = user_data;
  g_autoptr(GError) error = NULL;

  clmrs_db_worker_refresh_cases_if_stale_finish (CLMRS_DB_WORKER (source), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_refreshing (self, FALSE);
  /* not refreshed: the lists say what the cases said yesterday, and the
     toast says so */
  if (!job_failed (self, error, _("Could not update the follow-ups: they may be a day behind")))
    job_done (self);
  load_case_lists (self);
}

/* --- loading: from a sign-in or a visit closed until home is whole --- */

static gboolean
show_loading_cb (gpointer user_data)
{
  ClmrsHomePage *self = user_data;

  self->loading_shown_source = 0;
  gtk_widget_set_visible (self->loading_spinner, self->loading);
  if (self->loading)
    gtk_widget_add_css_class (self->content_box, "dim-content");
  return G_SOURCE_REMOVE;
}

/* Taps are not taken while loading (a second tap on the screen before
 * would land on what home shows under it); the spinner and the dimmed
 * content show only when it lasts, not as a flash each time. */
static void
set_loading (ClmrsHomePage *self,
             gboolean       loading)
{
  self->loading = loading;
  g_clear_handle_id (&self->loading_shown_source, g_source_remove);
  gtk_widget_set_can_target (self->content_box, !loading);
  if (loading)
    self->loading_shown_source = g_timeout_add (PROGRESS_AFTER_MS, show_loading_cb, self);
  else
    {
      gtk_widget_set_visible (self->loading_spinner, FALSE);
      gtk_widget_remove_css_class (self->content_box, "dim-content");
    }
}

static gpointer
nothing_job (ClmrsStore    *store,
             gpointer       user_data,
             GCancellable  *cancellable,
             GError       **error)
{
  return GINT_TO_POINTER (TRUE);
}

/* Queued after home's first lists: the worker runs jobs in order, and
 * their results come back in order, so they are all shown by now. */
static void
loaded_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(ClmrsHomePage) self = user_data;
  g_autoptr(GError) error = NULL;

  clmrs_db_worker_run_finish (CLMRS_DB_WORKER (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_loading (self, FALSE);
}

/* --- the page --- */

/* @model (its ownership taken) listed by the households' view. */
static void
show_households (ClmrsHomePage       *self,
                 ClmrsHouseholdModel *model)
{
  GtkNoSelection *selection;

  self->households = model;
  g_signal_connect_object (self->households, "items-changed",
                           G_CALLBACK (households_changed_cb), self, G_CONNECT_SWAPPED);
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->households)));
  gtk_list_view_set_model (self->households_view, GTK_SELECTION_MODEL (selection));
  g_object_unref (selection);
}

static void
clear_kept (ClmrsHomePage *self)
{
  g_clear_pointer (&self->due_items, g_ptr_array_unref);
  g_clear_pointer (&self->drafts, g_ptr_array_unref);
  g_clear_pointer (&self->returned, g_ptr_array_unref);
  g_clear_pointer (&self->indicators, json_node_unref);
}

/* Home as @old showed it, in a window built again in another language:
 * the same lists made again from what @old read (its households' model
 * itself: names are in no language), without waiting for the database,
 * which a large device's indicators and a loaded worker make slow.  When
 * @old had not read them all (or showed a search), home starts afresh. */
void
clmrs_home_page_start_again (ClmrsHomePage *self,
                             ClmrsHomePage *old,
                             ClmrsDbWorker *worker,
                             const char    *person_id,
                             const char    *person_name)
{
  g_return_if_fail (CLMRS_IS_HOME_PAGE (self));
  g_return_if_fail (CLMRS_IS_HOME_PAGE (old));

  if (old->households == NULL || old->due_items == NULL || old->drafts == NULL || old->returned == NULL ||
      old->indicators == NULL || self->households != NULL ||
      *gtk_editable_get_text (GTK_EDITABLE (old->search_entry)) != '\0')
    {
      clmrs_home_page_start (self, worker, person_id, person_name);
      return;
    }
  clmrs_home_page_stop (self);
  self->cancellable = g_cancellable_new ();
  g_set_object (&self->worker, worker);
  self->person_id = g_strdup (person_id);

  g_signal_handlers_disconnect_by_data (old->households, old);
  gtk_list_view_set_model (old->households_view, NULL);
  show_households (self, g_steal_pointer (&old->households));
  households_changed_cb (self);
  show_drafts (self, old->drafts);
  show_messages (self, old->returned);
  show_follow_ups (self, old->due_items);
  show_indicators (self, old->indicators);
  clmrs_sync_page_start (self->sync_page, worker);
  adw_view_stack_set_visible_child_name (self->stack, "households");
}

void
clmrs_home_page_start (ClmrsHomePage *self,
                       ClmrsDbWorker *worker,
                       const char    *person_id,
                       const char    *person_name)
{
  g_return_if_fail (CLMRS_IS_HOME_PAGE (self));
  g_return_if_fail (CLMRS_IS_DB_WORKER (worker));
  g_return_if_fail (person_id != NULL);

  clmrs_home_page_stop (self);
  self->cancellable = g_cancellable_new ();
  g_set_object (&self->worker, worker);
  self->person_id = g_strdup (person_id);

  if (self->households == NULL)
    show_households (self, clmrs_household_model_new (worker));
  clear_kept (self);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  clmrs_household_model_search (self->households, "");
  _clmrs_scroll_to_top (GTK_WIDGET (self));
  self->scroll_to_top = TRUE;
  households_changed_cb (self);

  /* what needs no case first, so home is whole at once: the households'
     first page (queued above), the unfinished visits, the messages; then
     the daily case refresh (seconds on a large device), and the lists of
     cases only after it, so no due date shown is yesterday's */
  gtk_revealer_set_reveal_child (self->draft_revealer, FALSE);
  load_drafts (self);
  self->n_busy += 2;
  clmrs_db_worker_list_visits_async (worker, "returned", person_id, LIST_LIMIT, self->cancellable,
                                     messages_cb, g_object_ref (self));
  set_loading (self, TRUE);
  clmrs_db_worker_run_async (worker, nothing_job, NULL, NULL, NULL, self->cancellable, loaded_cb, g_object_ref (self));
  clear_figures (self);
  adw_view_stack_page_set_badge_number (self->follow_ups_page, 0);
  adw_view_stack_page_set_needs_attention (self->follow_ups_page, FALSE);
  set_refreshing (self, TRUE);
  clmrs_db_worker_refresh_cases_if_stale_async (worker, self->cancellable, refresh_cb, g_object_ref (self));
  clmrs_sync_page_start (self->sync_page, worker);
  adw_view_stack_set_visible_child_name (self->stack, "households");
}

void
clmrs_home_page_stop (ClmrsHomePage *self)
{
  g_return_if_fail (CLMRS_IS_HOME_PAGE (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->n_busy = 0;
  set_refreshing (self, FALSE);
  set_loading (self, FALSE);
  g_clear_pointer (&self->person_id, g_free);
  clmrs_sync_page_stop (self->sync_page);
  g_clear_pointer (&self->draft_id, g_free);
  g_clear_pointer (&self->pick_form, g_free);
  gtk_revealer_set_reveal_child (self->pick_revealer, FALSE);
  if (self->households != NULL)
    clmrs_household_model_stop (self->households);
}

const char *
clmrs_home_page_get_draft_id (ClmrsHomePage *self)
{
  g_return_val_if_fail (CLMRS_IS_HOME_PAGE (self), NULL);

  return gtk_revealer_get_reveal_child (self->draft_revealer) ? self->draft_id : NULL;
}

GListModel *
clmrs_home_page_get_households (ClmrsHomePage *self)
{
  g_return_val_if_fail (CLMRS_IS_HOME_PAGE (self), NULL);

  return G_LIST_MODEL (self->households);
}

ClmrsSyncPage *
clmrs_home_page_get_sync_page (ClmrsHomePage *self)
{
  g_return_val_if_fail (CLMRS_IS_HOME_PAGE (self), NULL);

  return self->sync_page;
}

GtkListBox *
clmrs_home_page_get_list (ClmrsHomePage *self,
                          const char    *name)
{
  g_return_val_if_fail (CLMRS_IS_HOME_PAGE (self), NULL);

  if (g_strcmp0 (name, "follow-ups") == 0)
    return self->follow_ups_list;
  if (g_strcmp0 (name, "messages") == 0)
    return self->messages_list;
  if (g_strcmp0 (name, "queue") == 0)
    return clmrs_sync_page_get_queue_list (self->sync_page);
  if (g_strcmp0 (name, "drafts") == 0)
    return self->drafts_list;
  return NULL;
}

gboolean
clmrs_home_page_get_loading (ClmrsHomePage *self)
{
  g_return_val_if_fail (CLMRS_IS_HOME_PAGE (self), FALSE);

  return self->loading;
}

gboolean
clmrs_home_page_get_refreshing (ClmrsHomePage *self)
{
  g_return_val_if_fail (CLMRS_IS_HOME_PAGE (self), FALSE);

  return self->refreshing;
}

guint
clmrs_home_page_get_n_busy (ClmrsHomePage *self)
{
  g_return_val_if_fail (CLMRS_IS_HOME_PAGE (self), 0);

  return self->n_busy + (self->households != NULL && clmrs_household_model_is_loading (self->households)) +
         clmrs_sync_page_get_n_busy (self->sync_page);
}

void
clmrs_home_page_set_tab (ClmrsHomePage *self,
                         const char    *name)
{
  g_return_if_fail (CLMRS_IS_HOME_PAGE (self));

  adw_view_stack_set_visible_child_name (self->stack, name);
}

/* Where toasts go while the home page shows: above the tab bar at the
 * bottom, which they would otherwise cover. */
AdwToastOverlay *
clmrs_home_page_get_toast_overlay (ClmrsHomePage *self)
{
  g_return_val_if_fail (CLMRS_IS_HOME_PAGE (self), NULL);

  return self->toast_overlay;
}

const char *
clmrs_home_page_get_tab (ClmrsHomePage *self)
{
  g_return_val_if_fail (CLMRS_IS_HOME_PAGE (self), NULL);

  return adw_view_stack_get_visible_child_name (self->stack);
}

static void
clmrs_home_page_dispose (GObject *object)
{
  ClmrsHomePage *self = (ClmrsHomePage *) object;

  clmrs_home_page_stop (self);
  if (self->households_view != NULL)
    gtk_list_view_set_model (self->households_view, NULL);
  g_clear_object (&self->households);
  g_clear_object (&self->worker);
  clear_kept (self);

  G_OBJECT_CLASS (clmrs_home_page_parent_class)->dispose (object);
}

static void
clmrs_home_page_class_init (ClmrsHomePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = clmrs_home_page_dispose;

  g_type_ensure (CLMRS_TYPE_MONTH_CHART);
  g_type_ensure (CLMRS_TYPE_SYNC_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/clmrs/Field/clmrs-home-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ClmrsHomePage, stack);
  gtk_widget_class_bind_template_child (widget_class, ClmrsHomePage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, ClmrsHomePage, households_stack);
  gtk_widget_class_bind_template_child (widget_class, ClmrsHomePage, households_view);
  gtk_widget_class_bind_template_child (widget_class, ClmrsHomePage, follow_ups_page);
  gtk_widget_class_bind_template_child (widget_class, ClmrsHomePage, follow_ups_stack);
  gtk_widget_class_bind_template_child (widget_class, ClmrsHomePage, follow_ups_list);
  gtk_widget_class_bind_template_child (widget_class, ClmrsHomePage, messages_page);
  gtk_widget_class_bind_template_child (widget_class, ClmrsHomePage, messages_stack);
  gtk_widget_class_bind_template_child (widget_class, ClmrsHomePage, messages_list);
  gtk_widget_class_bind_template_child (widget_class, ClmrsHomePage, sync_page);
  gtk_widget_class_bind_template_child (widget_class, ClmrsHomePage, figures_box);
  gtk_widget_class_bind_template_child (widget_class, ClmrsHomePage, chart);
  gtk_widget_class_bind_template_child (widget_class, ClmrsHomePage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ClmrsHomePage, draft_revealer);
  gtk_widget_class_bind_template_child (widget_class, ClmrsHomePage, draft_label);
  gtk_widget_class_bind_template_child (widget_class, ClmrsHomePage, drafts_list);
  gtk_widget_class_bind_template_child (widget_class, ClmrsHomePage, refresh_revealer);
  gtk_widget_class_bind_template_child (widget_class, ClmrsHomePage, content_box);
  gtk_widget_class_bind_template_child (widget_class, ClmrsHomePage, loading_spinner);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, household_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, pick_cancel_clicked_cb);
  gtk_widget_class_bind_template_child (widget_class, ClmrsHomePage, pick_revealer);
  gtk_widget_class_install_action (widget_class, "home.awareness", NULL, awareness_action);
}

static void
clmrs_home_page_init (ClmrsHomePage *self)
{
  GtkListItemFactory *factory;

  gtk_widget_init_template (GTK_WIDGET (self));

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (household_setup_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (household_bind_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (household_unbind_cb), self);
  gtk_list_view_set_factory (self->households_view, factory);
  g_object_unref (factory);

}

GtkWidget *
clmrs_home_page_new (void)
{
  return g_object_new (CLMRS_TYPE_HOME_PAGE, NULL);
}
