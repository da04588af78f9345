/* clmrs-visit-result.c: what a finished visit found, child by child, with the supports that can be given now. */
#define G_LOG_DOMAIN "clmrs-visit-result"

#include "config.h"

#include "clmrs-visit-result.h"
#include "clmrs-visit-result-private.h"

#include <glib/gi18n.h>

#include "clmrs-labels-private.h"
#include "clmrs-rows-private.h"
#include "rules.h"

struct _ClmrsVisitResult
{
  AdwBin     parent_instance;

  /* Template widgets */
  GtkLabel  *heading;
  GtkLabel  *no_child;
  GtkBox    *children_box;
  GtkLabel  *rules_label;
  GtkButton *back_button;
  GtkButton *done_button;
};

G_DEFINE_FINAL_TYPE (ClmrsVisitResult, clmrs_visit_result, ADW_TYPE_BIN)

enum {
  DONE,
  BACK,
  GIVE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
done_clicked_cb (ClmrsVisitResult *self)
{
  g_signal_emit (self, signals[DONE], 0);
}

static void
back_clicked_cb (ClmrsVisitResult *self)
{
  g_signal_emit (self, signals[BACK], 0);
}

static void
give_clicked_cb (GtkButton        *button,
                 ClmrsVisitResult *self)
{
  g_signal_emit (self, signals[GIVE], 0,
                 g_object_get_data (G_OBJECT (button), "child-id"),
                 g_object_get_data (G_OBJECT (button), "child-name"),
                 g_object_get_data (G_OBJECT (button), "type"));
}

/* "Given Now" for support @type to @child: recorded at once with the support form. */
static GtkWidget *
give_button (ClmrsVisitResult        *self,
             const ClmrsChildOutcome *child,
             const char              *type)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (_("_Given Now"));
  GtkLabel *label = GTK_LABEL (gtk_button_get_child (GTK_BUTTON (button)));
  g_autofree char *a11y = NULL;

  /* Translators: accessible name of the button, "Record SUPPORT as given to CHILD" */
  a11y = g_strdup_printf (_("Record %s as given to %s"), _clmrs_support_label (type), child->name ? child->name : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
  /* a long translation goes on two lines rather than squeezing the support's name */
  gtk_label_set_wrap (label, TRUE);
  gtk_label_set_width_chars (label, 10);
  gtk_label_set_max_width_chars (label, 12);
  gtk_label_set_justify (label, GTK_JUSTIFY_CENTER);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (button, -1, 48);
  gtk_widget_add_css_class (button, "support-given");
  g_object_set_data_full (G_OBJECT (button), "child-id", g_strdup (child->child_id), g_free);
  g_object_set_data_full (G_OBJECT (button), "child-name", g_strdup (child->name ? child->name : ""), g_free);
  g_object_set_data_full (G_OBJECT (button), "type", g_strdup (type), g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (give_clicked_cb), self);
  return button;
}

/* A child's group: name and age, status, each reason in words, each
 * support suggested (given today, or a button to record it given). */
static GtkWidget *
child_group (ClmrsVisitResult           *self,
             const ClmrsVisitResultPage *page,
             const ClmrsChildOutcome    *child)
{
  GtkWidget *group = adw_preferences_group_new ();
  GtkWidget *status = _clmrs_data_row (_clmrs_status_label (child->status), NULL);
  g_autofree char *age = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d year", "%d years", child->age), child->age);
  g_autofree char *title = NULL;
  g_autofree char *escaped = NULL;
  JsonArray *reasons = child->reasons && JSON_NODE_HOLDS_ARRAY (child->reasons)
                       ? json_node_get_array (child->reasons) : NULL;

  /* Translators: "NAME, AGE" of a child */
  title = g_strdup_printf (_("%s, %s"), child->name ? child->name : "", age);
  /* group titles are markup in libadwaita 1.2 */
  escaped = g_markup_escape_text (title, -1);
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), escaped);
  gtk_widget_add_css_class (status, clmrs_status_is_child_labour (child->status) ? "status-cl" : "status-ok");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), status);
  for (guint j = 0; reasons != NULL && j < json_array_get_length (reasons); j++)
    {
      JsonObject *reason = json_array_get_object_element (reasons, j);
      const char *item = reason ? json_object_get_string_member_with_default (reason, "item", NULL) : NULL;
      g_autofree char *text = reason ? _clmrs_reason_text (reason, _clmrs_choice_label (page->prompts, item)) : NULL;
      GtkWidget *row = _clmrs_data_row (text, NULL);

      adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 4);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("dialog-information-symbolic"));
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
    }
  for (guint j = 0; child->suggestions != NULL && child->suggestions[j] != NULL; j++)
    {
      const char *type = child->suggestions[j];
      const char *level = clmrs_support_type_level (type);
      g_autofree char *key = g_strdup_printf ("%s %s", child->child_id, type);
      gboolean given = page->given != NULL && g_hash_table_contains (page->given, key);
      GtkWidget *row = _clmrs_data_row (_clmrs_support_label (type),
                                        given ? _("Given today") : _("Suggested support"));

      adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 3);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                                 gtk_image_new_from_icon_name (given ? "object-select-symbolic" : "list-add-symbolic"));
      /* support for the child or the household can be recorded now;
         community support is planned with the cooperative */
      if (!given && level != NULL && !g_str_equal (level, "community"))
        adw_action_row_add_suffix (ADW_ACTION_ROW (row), give_button (self, child, type));
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
    }
  return group;
}

void
clmrs_visit_result_show (ClmrsVisitResult           *self,
                         const ClmrsVisitResultPage *page)
{
  const ClmrsFinaliseResult *result;
  g_autofree char *rules = NULL;

  g_return_if_fail (CLMRS_IS_VISIT_RESULT (self));
  g_return_if_fail (page != NULL);

  result = page->children;
  clmrs_visit_result_clear (self);
  gtk_label_set_label (self->heading, page->heading);
  gtk_widget_set_visible (GTK_WIDGET (self->no_child), result != NULL && result->children->len == 0);
  for (guint i = 0; result != NULL && i < result->children->len; i++)
    gtk_box_append (self->children_box, child_group (self, page, g_ptr_array_index (result->children, i)));
  if (result != NULL && result->children->len > 0)
    rules = _clmrs_rules_text (page->country);
  gtk_label_set_label (self->rules_label, rules ? rules : "");
  gtk_widget_set_visible (GTK_WIDGET (self->rules_label), rules != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), page->back_to_children);
  /* the one way on is the suggested one */
  if (page->back_to_children)
    gtk_widget_remove_css_class (GTK_WIDGET (self->done_button), "suggested-action");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->done_button), "suggested-action");
}

void
clmrs_visit_result_clear (ClmrsVisitResult *self)
{
  GtkWidget *child;

  g_return_if_fail (CLMRS_IS_VISIT_RESULT (self));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->children_box))) != NULL)
    gtk_box_remove (self->children_box, child);
}

static GtkWidget *
find_support_button (GtkWidget  *root,
                     const char *child_id,
                     const char *type)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_BUTTON (child) &&
          g_strcmp0 (g_object_get_data (G_OBJECT (child), "child-id"), child_id) == 0 &&
          g_strcmp0 (g_object_get_data (G_OBJECT (child), "type"), type) == 0)
        return child;
      if ((found = find_support_button (child, child_id, type)) != NULL)
        return found;
    }
  return NULL;
}

GtkWidget *
clmrs_visit_result_get_support_button (ClmrsVisitResult *self,
                                       const char       *child_id,
                                       const char       *type)
{
  g_return_val_if_fail (CLMRS_IS_VISIT_RESULT (self), NULL);

  return find_support_button (GTK_WIDGET (self->children_box), child_id, type);
}

char *
clmrs_visit_result_dup_text (ClmrsVisitResult *self)
{
  g_return_val_if_fail (CLMRS_IS_VISIT_RESULT (self), NULL);

  return _clmrs_dup_shown_text (GTK_WIDGET (self));
}

static void
clmrs_visit_result_class_init (ClmrsVisitResultClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  /**
   * ClmrsVisitResult::done: the facilitator is done with the visit
   */
  signals[DONE] = g_signal_new ("done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /**
   * ClmrsVisitResult::back: back to the children of the visit a support was recorded from
   */
  signals[BACK] = g_signal_new ("back", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /**
   * ClmrsVisitResult::give:
   * @child_id: the child
   * @child_name: their name, as shown
   * @type: the support's type code
   *
   * "Given Now" tapped: record the support given.
   */
  signals[GIVE] = g_signal_new ("give", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/clmrs/Field/clmrs-visit-result.ui");
  gtk_widget_class_bind_template_child (widget_class, ClmrsVisitResult, heading);
  gtk_widget_class_bind_template_child (widget_class, ClmrsVisitResult, no_child);
  gtk_widget_class_bind_template_child (widget_class, ClmrsVisitResult, children_box);
  gtk_widget_class_bind_template_child (widget_class, ClmrsVisitResult, rules_label);
  gtk_widget_class_bind_template_child (widget_class, ClmrsVisitResult, back_button);
  gtk_widget_class_bind_template_child (widget_class, ClmrsVisitResult, done_button);
  gtk_widget_class_bind_template_callback (widget_class, done_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, back_clicked_cb);
}

static void
clmrs_visit_result_init (ClmrsVisitResult *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
clmrs_visit_result_new (void)
{
  return g_object_new (CLMRS_TYPE_VISIT_RESULT, NULL);
}
