/* clmrs-record-view.c: a finalised visit, read-only: the supervisor's message, each child's result, the answers. */
#define G_LOG_DOMAIN "clmrs-record-view"

#include "clmrs-rows-private.h"
#include "clmrs-i18n.h"
#include "config.h"

#include "clmrs-record-view.h"

#include <glib/gi18n.h>
#include <string.h>

#include "rules.h"
#include "xform.h"

#include "clmrs-labels-private.h"

struct _ClmrsRecordView
{
  AdwBin             parent_instance;

  /* Template widgets */
  GtkStack          *stack;
  GtkBox            *content;

  /* Owned references */
  GCancellable      *cancellable;
  ClmrsVisitSummary *visit;
  char              *language;
  guint              n_busy;
  gboolean           can_correct;

  /* Borrowed references */
  GtkWidget         *correct_button;
};

G_DEFINE_FINAL_TYPE (ClmrsRecordView, clmrs_record_view, ADW_TYPE_BIN)

enum {
  LOADED,
  CORRECT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static GtkWidget *
data_row (const char *title,
          const char *subtitle)
{
  GtkWidget *row = _clmrs_data_row (title, subtitle);

  /* answers wrap whole: nothing of them is ellipsized */
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  return row;
}

static GtkWidget *
group_new (const char *title)
{
  GtkWidget *group = adw_preferences_group_new ();

  if (title != NULL)
    {
      /* group titles are markup in libadwaita 1.2 */
      g_autofree char *escaped = g_markup_escape_text (title, -1);

      adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), escaped);
    }
  return group;
}

static void
remove_all (ClmrsRecordView *self)
{
  GtkWidget *child;

  self->correct_button = NULL;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->content))) != NULL)
    gtk_box_remove (self->content, child);
}

/* --- the review --- */

static void
correct_clicked_cb (ClmrsRecordView *self)
{
  if (self->visit != NULL)
    g_signal_emit (self, signals[CORRECT], 0, self->visit->id);
}

/* A correction says which visit it corrects (the supervisor reads it so). */
static void
add_corrects (ClmrsRecordView *self)
{
  g_autofree char *day = NULL;
  g_autofree char *text = NULL;
  GtkWidget *group, *row;

  if (self->visit->corrects == NULL)
    return;
  day = clmrs_i18n_format_day (self->visit->corrects_date);
  /* Translators: %s is the date of the visit the supervisor returned */
  text = g_strdup_printf (_("Corrects the visit of %s, returned by the supervisor"), day);
  group = group_new (NULL);
  row = data_row (text, NULL);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("edit-symbolic"));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  gtk_box_append (self->content, group);
}

static void
add_review (ClmrsRecordView *self)
{
  const char *state = self->visit->review_state;
  GtkWidget *group;
  GtkWidget *row;

  if (g_strcmp0 (state, "returned") == 0)
    {
      group = group_new (_("Message from your supervisor"));
      row = data_row (self->visit->review_message && *self->visit->review_message
                      ? self->visit->review_message : _("No message"), NULL);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("mail-unread-symbolic"));
      gtk_widget_add_css_class (row, "returned-message");
      gtk_widget_add_css_class (row, "tall-row");
      if (self->visit->corrected_by != NULL)
        {
          adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
          row = data_row (_("Corrected: the corrected visit is with your supervisor"), NULL);
          adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("object-select-symbolic"));
        }
      else if (self->can_correct)
        {
          GtkWidget *button = gtk_button_new_with_label (_("Start a corrected visit"));

          gtk_widget_add_css_class (button, "suggested-action");
          gtk_widget_add_css_class (button, "pill");
          gtk_widget_set_halign (button, GTK_ALIGN_CENTER);
          gtk_widget_set_margin_top (button, 12);
          g_signal_connect_swapped (button, "clicked", G_CALLBACK (correct_clicked_cb), self);
          adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
          row = button;
          self->correct_button = button;
        }
    }
  else
    {
      group = group_new (NULL);
      row = data_row (g_strcmp0 (state, "approved") == 0 ? _("Approved by the supervisor")
                                                         : _("Waiting for the supervisor's review"), NULL);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                                 gtk_image_new_from_icon_name (g_strcmp0 (state, "approved") == 0
                                                               ? "object-select-symbolic" : "content-loading-symbolic"));
    }
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  gtk_box_append (self->content, group);
}

/* --- each child's result --- */

static void
add_children (ClmrsRecordView *self,
              GPtrArray       *prompts)
{
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *rules = NULL;
  JsonArray *children;

  if (self->visit->assessments != NULL)
    node = json_from_string (self->visit->assessments, NULL);
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return;
  children = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (children); i++)
    {
      JsonObject *child = json_array_get_object_element (children, i);
      const char *name = json_object_get_string_member_with_default (child, "name", "");
      int age = json_object_get_int_member_with_default (child, "age", -1);
      JsonNode *reasons_node = json_object_get_member (child, "reasons");
      JsonArray *reasons = reasons_node && JSON_NODE_HOLDS_ARRAY (reasons_node) ? json_node_get_array (reasons_node) : NULL;
      ClmrsStatus status = CLMRS_STATUS_NOT_IN_CHILD_LABOUR;
      g_autofree char *title = NULL;
      GtkWidget *group, *row;

      if (age >= 0)
        {
          g_autofree char *years = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d year", "%d years", age), age);

          /* Translators: "NAME, AGE" of a child */
          title = g_strdup_printf (_("%s, %s"), name, years);
        }
      else
        title = g_strdup (name);
      group = group_new (title);
      if (clmrs_status_from_string (json_object_get_string_member_with_default (child, "status", ""), &status))
        {
          row = data_row (_clmrs_status_label (status), NULL);
          gtk_widget_add_css_class (row, clmrs_status_is_child_labour (status) ? "status-cl" : "status-ok");
          adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
        }
      for (guint j = 0; reasons != NULL && j < json_array_get_length (reasons); j++)
        {
          JsonObject *reason = json_array_get_object_element (reasons, j);
          const char *item = reason ? json_object_get_string_member_with_default (reason, "item", NULL) : NULL;
          g_autofree char *text = reason ? _clmrs_reason_text (reason, _clmrs_choice_label (prompts, item)) : NULL;

          row = data_row (text, NULL);
          adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("dialog-information-symbolic"));
          adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
        }
      gtk_box_append (self->content, group);
      if (rules == NULL)
        rules = _clmrs_rules_text (json_object_get_string_member_with_default (child, "rules", NULL));
    }
  if (rules != NULL)
    {
      GtkWidget *label = gtk_label_new (rules);

      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_add_css_class (label, "caption");
      gtk_widget_add_css_class (label, "dim-label");
      gtk_box_append (self->content, label);
    }
}

/* --- the answers, with the form's words --- */

/* The heading of a repeat instance: its first text answer (a child's name),
 * else its position. */
static char *
repeat_heading (GPtrArray  *prompts,
                guint       from)
{
  ClmrsPrompt *first = g_ptr_array_index (prompts, from);
  const char *bracket = strrchr (first->repeat, '[');

  for (guint i = from; i < prompts->len; i++)
    {
      ClmrsPrompt *prompt = g_ptr_array_index (prompts, i);

      if (g_strcmp0 (prompt->repeat, first->repeat) != 0)
        break;
      if (prompt->type == CLMRS_TYPE_STRING && prompt->choices == NULL && prompt->value && *prompt->value)
        return g_strdup (prompt->value);
    }
  /* Translators: a repeated group in a visit's answers, e.g. "Number 2" */
  return g_strdup_printf (_("Number %s"), bracket ? bracket + 1 : "");
}

static void
add_prompts (ClmrsRecordView *self,
             GPtrArray       *prompts)
{
  GtkWidget *group = NULL;
  const char *repeat = NULL;

  for (guint i = 0; i < prompts->len; i++)
    {
      ClmrsPrompt *prompt = g_ptr_array_index (prompts, i);
      g_autofree char *value = NULL;

      if (prompt->kind != CLMRS_PROMPT_QUESTION || prompt->control == CLMRS_CONTROL_TRIGGER ||
          prompt->value == NULL || *prompt->value == '\0')
        continue;
      if (group == NULL || g_strcmp0 (repeat, prompt->repeat) != 0)
        {
          g_autofree char *heading = prompt->repeat ? repeat_heading (prompts, i) : NULL;

          if (group != NULL)
            gtk_box_append (self->content, group);
          group = group_new (heading ? heading : _("Answers"));
          repeat = prompt->repeat;
        }
      value = _clmrs_prompt_value_text (prompt);
      {
        GtkWidget *row = data_row (prompt->label, value);

        gtk_widget_add_css_class (row, "property");
        adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
      }
    }
  if (group != NULL)
    gtk_box_append (self->content, group);
}

/* Without its form (a form file no longer there): the answers as stored. */
static char *
humanize (const char *key)
{
  char *text = g_strdup (key);

  for (char *p = text; *p; p++)
    if (*p == '_')
      *p = ' ';
  if (*text)
    *text = g_ascii_toupper (*text);
  return text;
}

static void
add_json (GtkWidget  *group,
          JsonNode   *node,
          const char *name)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr(GList) members = json_object_get_members (object);

      for (GList *l = members; l != NULL; l = l->next)
        {
          g_autofree char *label = humanize (l->data);

          if (!g_str_equal (l->data, "meta"))
            add_json (group, json_object_get_member (object, l->data), label);
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_autofree char *label = g_strdup_printf ("%s %u", name ? name : "", i + 1);

          add_json (group, json_array_get_element (array, i), label);
        }
    }
  else if (JSON_NODE_HOLDS_VALUE (node))
    {
      g_autofree char *value = NULL;
      GtkWidget *row;

      if (json_node_get_value_type (node) == G_TYPE_STRING)
        value = g_strdup (json_node_get_string (node));
      else if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
        value = g_strdup (json_node_get_boolean (node) ? _("yes") : _("no"));
      else if (json_node_get_value_type (node) == G_TYPE_INT64)
        value = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
      else
        value = g_strdup_printf ("%g", json_node_get_double (node));
      row = data_row (name, *value ? value : "—");
      gtk_widget_add_css_class (row, "property");
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
    }
}

static ClmrsFormSession *
open_session (ClmrsRecordView *self,
              JsonNode        *answers)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsFormSession) session = NULL;
  ClmrsForm *form = self->visit->form;   /* the version that made it, read by the worker */

  if (form == NULL || answers == NULL)
    return NULL;
  session = clmrs_form_session_new (form, &error);
  if (session != NULL)
    {
      clmrs_form_session_set_language (session, self->language);
      if (!clmrs_form_session_load_json (session, answers, &error))
        g_clear_pointer (&session, clmrs_form_session_free);
    }
  if (session == NULL)
    g_debug ("visit %s shown without its form: %s", self->visit->id, error ? error->message : "");
  return g_steal_pointer (&session);
}

static void
show (ClmrsRecordView *self)
{
  g_autoptr(JsonNode) answers = NULL;
  g_autoptr(ClmrsFormSession) session = NULL;
  g_autoptr(GPtrArray) prompts = NULL;
  g_autofree char *about = NULL;
  g_autofree char *day = clmrs_i18n_format_day (self->visit->visit_date);
  GtkWidget *label;

  remove_all (self);
  /* Translators: "DATE · FACILITATOR · COMMUNITY" */
  about = g_strdup_printf (_("%s · %s · %s"), day,
                           self->visit->facilitator_name ? self->visit->facilitator_name : "",
                           self->visit->community ? self->visit->community : "");
  label = gtk_label_new (about);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_box_append (self->content, label);

  add_corrects (self);
  add_review (self);
  if (self->visit->answers != NULL)
    answers = json_from_string (self->visit->answers, NULL);
  session = open_session (self, answers);
  if (session != NULL)
    prompts = clmrs_form_session_get_prompts (session);
  add_children (self, prompts);
  if (prompts != NULL)
    add_prompts (self, prompts);
  else if (answers != NULL)
    {
      GtkWidget *group = group_new (_("Answers"));

      add_json (group, answers, NULL);
      gtk_box_append (self->content, group);
    }
  else
    gtk_box_append (self->content, data_row (_("The answers cannot be read"), NULL));
  gtk_stack_set_visible_child_name (self->stack, "record");
}

static void
visit_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(ClmrsRecordView) self = user_data;
  g_autoptr(GError) error = NULL;
  ClmrsVisitSummary *visit;

  visit = clmrs_db_worker_get_visit_finish (CLMRS_DB_WORKER (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->n_busy--;
  g_clear_pointer (&self->visit, clmrs_visit_summary_free);
  if (visit == NULL)
    {
      g_message ("Could not open the visit: %s", error->message);
      remove_all (self);
      gtk_box_append (self->content, data_row (_("The visit cannot be opened"), NULL));
      gtk_stack_set_visible_child_name (self->stack, "record");
      return;
    }
  self->visit = visit;
  show (self);
  g_signal_emit (self, signals[LOADED], 0);
}

void
clmrs_record_view_load (ClmrsRecordView *self,
                        ClmrsDbWorker   *worker,
                        const char      *visit_id,
                        const char      *language)
{
  g_return_if_fail (CLMRS_IS_RECORD_VIEW (self));
  g_return_if_fail (CLMRS_IS_DB_WORKER (worker));
  g_return_if_fail (visit_id != NULL);

  clmrs_record_view_clear (self);
  self->cancellable = g_cancellable_new ();
  g_free (self->language);
  self->language = g_strdup (language);
  self->n_busy++;
  clmrs_db_worker_get_visit_async (worker, visit_id, self->cancellable, visit_cb, g_object_ref (self));
}

void
clmrs_record_view_clear (ClmrsRecordView *self)
{
  g_return_if_fail (CLMRS_IS_RECORD_VIEW (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->n_busy = 0;
  g_clear_pointer (&self->visit, clmrs_visit_summary_free);
  remove_all (self);
  gtk_stack_set_visible_child_name (self->stack, "busy");
}

const ClmrsVisitSummary *
clmrs_record_view_get_visit (ClmrsRecordView *self)
{
  g_return_val_if_fail (CLMRS_IS_RECORD_VIEW (self), NULL);

  return self->visit;
}

guint
clmrs_record_view_get_n_busy (ClmrsRecordView *self)
{
  g_return_val_if_fail (CLMRS_IS_RECORD_VIEW (self), 0);

  return self->n_busy;
}

static void
collect_text (GtkWidget *root,
              GString   *text)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LABEL (child) && gtk_widget_get_visible (child) && *gtk_label_get_label (GTK_LABEL (child)))
        g_string_append_printf (text, "%s\n", gtk_label_get_label (GTK_LABEL (child)));
      collect_text (child, text);
    }
}

char *
clmrs_record_view_get_text (ClmrsRecordView *self)
{
  GString *text = g_string_new (NULL);

  g_return_val_if_fail (CLMRS_IS_RECORD_VIEW (self), NULL);

  collect_text (GTK_WIDGET (self->content), text);
  return g_string_free (text, FALSE);
}

static void
clmrs_record_view_dispose (GObject *object)
{
  ClmrsRecordView *self = (ClmrsRecordView *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->visit, clmrs_visit_summary_free);
  g_clear_pointer (&self->language, g_free);

  G_OBJECT_CLASS (clmrs_record_view_parent_class)->dispose (object);
}

static void
clmrs_record_view_class_init (ClmrsRecordViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = clmrs_record_view_dispose;

  /**
   * ClmrsRecordView::loaded:
   *
   * The visit asked for is shown.
   */
  signals[LOADED] = g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * ClmrsRecordView::correct:
   * @visit_id: the returned visit
   *
   * The facilitator asked to start a corrected visit.
   */
  signals[CORRECT] = g_signal_new ("correct", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/clmrs/Field/clmrs-record-view.ui");
  gtk_widget_class_bind_template_child (widget_class, ClmrsRecordView, stack);
  gtk_widget_class_bind_template_child (widget_class, ClmrsRecordView, content);
}

static void
clmrs_record_view_init (ClmrsRecordView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

void
clmrs_record_view_set_can_correct (ClmrsRecordView *self,
                                   gboolean         can_correct)
{
  g_return_if_fail (CLMRS_IS_RECORD_VIEW (self));

  self->can_correct = can_correct;
}

GtkWidget *
clmrs_record_view_get_correct_button (ClmrsRecordView *self)
{
  g_return_val_if_fail (CLMRS_IS_RECORD_VIEW (self), NULL);

  return self->correct_button;
}

GtkWidget *
clmrs_record_view_new (void)
{
  return g_object_new (CLMRS_TYPE_RECORD_VIEW, NULL);
}
