/* label-audit.c: walks widget trees for controls without an accessible name, as a screen reader meets them. */
#define G_LOG_DOMAIN "clmrs-label-audit"

#include "label-audit.h"

#include <string.h>

/*
 * What counts as a name is what GTK 4.8 hands to a screen reader
 * (gtk_at_context_get_name): the accessible "label" property, then the
 * labels of the widgets of the "labelled-by" relation.  GTK 4.8 does not
 * name a widget from its content: a GtkButton made with a label gets the
 * label property, but a button whose child is a box of an icon and a
 * label, or a label put in with gtk_button_set_child, has no name at all.
 * The one exception allowed here is a list row or list item whose child
 * widget is named: GTK 4.8 has no API to label a GtkListView's item
 * widget, and screen readers read a list item's children.
 *
 * The attributes are read through GTK's testing API, which only works
 * with the test AT context (GTK_A11Y=test).  The labelled-by widgets come
 * back as GTK prints them ("GtkLabel<0x5612…> …") and are found again by
 * address among the widgets of the open windows.
 */

typedef struct {
  gboolean    shown_only;  /* only what is mapped: a screen, not a popover's content */
  GHashTable *widgets;   /* "%p" of every widget of every toplevel -> the widget */
  GString    *failures;
  guint       n_failures;
  guint       n_controls;
} Audit;

static void
index_widgets (Audit     *audit,
               GtkWidget *widget)
{
  g_hash_table_insert (audit->widgets, g_strdup_printf ("%p", (gpointer) widget), widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    index_widgets (audit, child);
}

/* The accessible label property, NULL when unset or blank. */
static char *
own_label (GtkWidget *widget)
{
  char *value;

  if (!gtk_test_accessible_has_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL))
    return NULL;
  /* the value comes back when it differs from the one given */
  value = gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, "");
  if (value != NULL && *g_strstrip (value) == '\0')
    g_clear_pointer (&value, g_free);
  return value;
}

/* The labels of the labelled-by widgets, joined; NULL when none speaks. */
static char *
relation_label (Audit     *audit,
                GtkWidget *widget)
{
  g_autofree char *refs = NULL;
  g_autoptr(GString) name = g_string_new (NULL);

  if (!gtk_test_accessible_has_relation (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_RELATION_LABELLED_BY))
    return NULL;
  refs = gtk_test_accessible_check_relation (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_RELATION_LABELLED_BY, NULL);
  for (const char *p = refs; p != NULL && (p = strchr (p, '<')) != NULL; )
    {
      const char *end = strchr (p, '>');
      g_autofree char *address = NULL;
      GtkWidget *label_widget;

      if (end == NULL)
        break;
      address = g_strndup (p + 1, end - p - 1);
      label_widget = g_hash_table_lookup (audit->widgets, address);
      if (label_widget != NULL)
        {
          g_autofree char *label = own_label (label_widget);

          if (label != NULL)
            g_string_append_printf (name, "%s%s", name->len ? " " : "", label);
        }
      p = end + 1;
    }
  return name->len > 0 ? g_string_free (g_steal_pointer (&name), FALSE) : NULL;
}

static char *
accessible_name (Audit     *audit,
                 GtkWidget *widget)
{
  g_autofree char *label = own_label (widget);
  g_autofree char *related = relation_label (audit, widget);

  if (label != NULL && related != NULL)
    return g_strconcat (label, " ", related, NULL);
  return label != NULL ? g_steal_pointer (&label) : g_steal_pointer (&related);
}

typedef enum {
  CONTROL_NONE,
  CONTROL_SIMPLE,     /* check it, then its children */
  CONTROL_COMPOSITE,  /* check it; its inside is GTK's (a drop-down's button, an entry's text) */
  CONTROL_ITEM,       /* a list row or item: its own name, or its child's */
} ControlKind;

static gboolean
is_list_item (GtkWidget *widget)
{
  GtkWidget *parent = gtk_widget_get_parent (widget);

  return parent != NULL && (GTK_IS_LIST_VIEW (parent) || GTK_IS_GRID_VIEW (parent)) &&
         gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (widget)) == GTK_ACCESSIBLE_ROLE_LIST_ITEM;
}

static ControlKind
control_kind (GtkWidget *widget)
{
  GtkAccessibleRole role = gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (widget));

  /* not in the accessible tree (a spin button's +/-, an entry's text) */
  if (role == GTK_ACCESSIBLE_ROLE_NONE || role == GTK_ACCESSIBLE_ROLE_PRESENTATION)
    return CONTROL_NONE;
  if (ADW_IS_ENTRY_ROW (widget) || ADW_IS_COMBO_ROW (widget) || GTK_IS_DROP_DOWN (widget) ||
      GTK_IS_SPIN_BUTTON (widget) || GTK_IS_ENTRY (widget) || GTK_IS_PASSWORD_ENTRY (widget) ||
      GTK_IS_SEARCH_ENTRY (widget) || GTK_IS_TEXT (widget) || GTK_IS_SCALE (widget) ||
      GTK_IS_CALENDAR (widget) || GTK_IS_SWITCH (widget))
    return CONTROL_COMPOSITE;
  if (GTK_IS_TEXT_VIEW (widget))
    return gtk_text_view_get_editable (GTK_TEXT_VIEW (widget)) ? CONTROL_COMPOSITE : CONTROL_NONE;
  if (GTK_IS_MENU_BUTTON (widget) || GTK_IS_BUTTON (widget) || GTK_IS_CHECK_BUTTON (widget))
    return CONTROL_SIMPLE;
  if (GTK_IS_LIST_BOX_ROW (widget))
    return gtk_list_box_row_get_activatable (GTK_LIST_BOX_ROW (widget)) ? CONTROL_ITEM : CONTROL_NONE;
  if (is_list_item (widget))
    return CONTROL_ITEM;
  return CONTROL_NONE;
}

/* The id in its .ui file; GtkBuilder's made-up ones say nothing. */
static const char *
widget_id (GtkWidget *widget)
{
  const char *id = gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget));

  return id != NULL && !g_str_has_prefix (id, "___object_") ? id : NULL;
}

static void
append_widget (GString   *out,
               GtkWidget *widget)
{
  g_string_append (out, G_OBJECT_TYPE_NAME (widget));
  if (widget_id (widget) != NULL)
    g_string_append_printf (out, "#%s", widget_id (widget));
}

/* What a sighted user sees on it: texts, icons, tooltip. */
static void
append_content (GString   *out,
                GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LABEL (child) && *gtk_label_get_text (GTK_LABEL (child)) != '\0')
        g_string_append_printf (out, " text \"%s\"", gtk_label_get_text (GTK_LABEL (child)));
      else if (GTK_IS_IMAGE (child) && gtk_image_get_icon_name (GTK_IMAGE (child)) != NULL)
        g_string_append_printf (out, " icon %s", gtk_image_get_icon_name (GTK_IMAGE (child)));
      append_content (out, child);
    }
}

static void
fail (Audit      *audit,
      GtkWidget  *widget,
      const char *problem)
{
  g_autoptr(GString) ancestors = g_string_new (NULL);
  g_autoptr(GString) content = g_string_new (NULL);
  g_auto(GStrv) classes = gtk_widget_get_css_classes (widget);
  g_autofree char *class_list = g_strjoinv (".", classes);

  for (GtkWidget *parent = gtk_widget_get_parent (widget); parent; parent = gtk_widget_get_parent (parent))
    {
      g_autoptr(GString) one = g_string_new (NULL);

      append_widget (one, parent);
      g_string_prepend (ancestors, " > ");
      g_string_prepend (ancestors, one->str);
    }
  append_content (content, widget);
  audit->n_failures++;
  g_string_append_printf (audit->failures, "\n  %u. %s: ", audit->n_failures, problem);
  append_widget (audit->failures, widget);
  g_string_append_printf (audit->failures, " (CSS %s%s%s)", gtk_widget_get_css_name (widget),
                          *class_list ? "." : "", class_list);
  if (content->len > 0)
    g_string_append_printf (audit->failures, ", shows%s", content->str);
  if (gtk_widget_get_tooltip_text (widget) != NULL)
    g_string_append_printf (audit->failures, ", tooltip \"%s\"", gtk_widget_get_tooltip_text (widget));
  /* made in code, it has no id: the text beside it says which it is */
  for (GtkWidget *sibling = gtk_widget_get_first_child (gtk_widget_get_parent (widget));
       sibling != NULL; sibling = gtk_widget_get_next_sibling (sibling))
    if (sibling != widget && GTK_IS_LABEL (sibling) && *gtk_label_get_text (GTK_LABEL (sibling)) != '\0')
      {
        g_string_append_printf (audit->failures, ", beside the text \"%s\"", gtk_label_get_text (GTK_LABEL (sibling)));
        break;
      }
  g_string_append_printf (audit->failures, "\n     in %s", ancestors->str);
  append_widget (audit->failures, widget);
}

/* Tab reaches it: nothing above it refuses focus, and it or a widget
 * inside it (an entry's text, a drop-down's button) takes focus. */
static gboolean
has_focusable (GtkWidget *widget)
{
  if (gtk_widget_get_focusable (widget))
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    if (gtk_widget_get_can_focus (child) && has_focusable (child))
      return TRUE;
  return FALSE;
}

static gboolean
reachable_by_tab (GtkWidget *widget)
{
  /* minimise, maximise, close: left out of the focus chain by GTK itself */
  if (gtk_widget_get_ancestor (widget, GTK_TYPE_WINDOW_CONTROLS) != NULL)
    return TRUE;
  for (GtkWidget *w = widget; w != NULL; w = gtk_widget_get_parent (w))
    if (!gtk_widget_get_can_focus (w))
      return FALSE;
  return has_focusable (widget);
}

static void
audit_widget (Audit     *audit,
              GtkWidget *widget)
{
  ControlKind kind;

  if (audit->shown_only ? !gtk_widget_get_mapped (widget) : !gtk_widget_get_visible (widget))
    return;
  /* libadwaita 1.2's own: a toast's close button has a tooltip, no label */
  if (g_str_equal (G_OBJECT_TYPE_NAME (widget), "AdwToastWidget"))
    return;
  kind = control_kind (widget);
  if (kind != CONTROL_NONE)
    {
      g_autofree char *name = accessible_name (audit, widget);

      audit->n_controls++;
      if (name == NULL && kind == CONTROL_ITEM)
        {
          GtkWidget *child = GTK_IS_LIST_BOX_ROW (widget) ? gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (widget))
                                                           : gtk_widget_get_first_child (widget);

          if (child != NULL)
            name = accessible_name (audit, child);
        }
      if (name == NULL)
        fail (audit, widget, "no accessible name");
      if (gtk_widget_is_sensitive (widget) && !reachable_by_tab (widget))
        fail (audit, widget, "not reachable with Tab");
    }
  if (kind == CONTROL_COMPOSITE)
    return;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      /* a drop-down's own toggle: GTK 4.8 names the drop-down, not it */
      if (GTK_IS_TOGGLE_BUTTON (child) && GTK_IS_DROP_DOWN (widget))
        continue;
      audit_widget (audit, child);
    }
}

/* Stops the tests when GTK keeps no accessible attributes (GTK_A11Y=none):
 * every control would look unnamed, or the audit would see nothing. */
static void
assert_attributes_kept (void)
{
  static gboolean checked;
  GtkWidget *probe;

  if (checked)
    return;
  probe = g_object_ref_sink (gtk_button_new_with_label ("probe"));
  if (!gtk_test_accessible_has_property (GTK_ACCESSIBLE (probe), GTK_ACCESSIBLE_PROPERTY_LABEL))
    g_error ("GTK keeps no accessible attributes: run the UI tests with GTK_A11Y=test (it is \"%s\")",
             g_getenv ("GTK_A11Y") ? g_getenv ("GTK_A11Y") : "unset");
  g_object_unref (probe);
  checked = TRUE;
}

static void
audit_roots (GPtrArray  *roots,
             gboolean    shown_only,
             const char *screen)
{
  Audit audit = { shown_only };
  GListModel *toplevels = gtk_window_get_toplevels ();

  assert_attributes_kept ();
  audit.widgets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  audit.failures = g_string_new (NULL);
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      index_widgets (&audit, window);
    }
  for (guint i = 0; i < roots->len; i++)
    audit_widget (&audit, g_ptr_array_index (roots, i));
  g_test_message ("labels on \"%s\": %u controls, %u problems", screen, audit.n_controls, audit.n_failures);
  if (audit.n_controls == 0)
    g_string_append (audit.failures, "\n  no control found on screen: is the window shown?");
  if (audit.failures->len > 0)
    {
      g_autofree char *message = g_strdup_printf ("screen \"%s\": controls a screen reader cannot name or reach "
                                                  "(add an accessible label or a labelled-by relation):%s",
                                                  screen, audit.failures->str);

      g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, message);
    }
  g_string_free (audit.failures, TRUE);
  g_hash_table_unref (audit.widgets);
}

void
label_audit_tree (GtkWidget  *root,
                  const char *screen)
{
  g_autoptr(GPtrArray) roots = g_ptr_array_new ();

  g_return_if_fail (GTK_IS_WIDGET (root));

  g_ptr_array_add (roots, root);
  audit_roots (roots, FALSE, screen);
}

void
label_audit_screen (const char *screen)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  g_autoptr(GPtrArray) roots = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      GtkWidget *window = g_list_model_get_item (toplevels, i);

      if (gtk_widget_get_mapped (window))
        g_ptr_array_add (roots, window);
      else
        g_object_unref (window);
    }
  audit_roots (roots, TRUE, screen);
}
