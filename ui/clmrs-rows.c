/* clmrs-rows.c: small list helpers shared by the app's pages. */
#define G_LOG_DOMAIN "clmrs-rows"

#include "clmrs-rows-private.h"

#include "util.h"

GtkWidget *
_clmrs_data_row (const char *title,
                 const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();

  /* rows show data: never markup (STYLE trap 1) */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title ? title : "");
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  return row;
}

void
_clmrs_list_remove_all (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

void
_clmrs_scroll_to_top (GtkWidget *root)
{
  g_return_if_fail (GTK_IS_WIDGET (root));

  if (GTK_IS_SCROLLED_WINDOW (root))
    {
      GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (root));

      gtk_adjustment_set_value (adjustment, gtk_adjustment_get_lower (adjustment));
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    _clmrs_scroll_to_top (child);
}

/* A wrapping label asks for the width of its longest word only, and a
 * header beside a window's three buttons gave it just that ("Visite / du
 * / ménage"); asking for as many characters as the title has, up to 14,
 * keeps a short title on one line and a long one on two, and the header
 * no wider than a phone beside a window's three buttons (16 made it 8 px
 * too wide).  (GTK 4.8's
 * natural-wrap-mode "none" would do it, but then reports a natural width
 * under the minimum when the header is measured for a height.) */
static void
title_label_changed_cb (GtkLabel *label)
{
  const char *text = gtk_label_get_text (label);

  gtk_label_set_width_chars (label, MIN ((int) g_utf8_strlen (text ? text : "", -1), 14));
}

void
_clmrs_wrap_labels_under (GtkWidget *root)
{
  g_return_if_fail (GTK_IS_WIDGET (root));

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LABEL (child))
        {
          gtk_label_set_ellipsize (GTK_LABEL (child), PANGO_ELLIPSIZE_NONE);
          gtk_label_set_wrap (GTK_LABEL (child), TRUE);
          gtk_label_set_wrap_mode (GTK_LABEL (child), PANGO_WRAP_WORD);
          /* a header's title keeps its first words together: see below */
          if (gtk_widget_get_ancestor (child, ADW_TYPE_WINDOW_TITLE) != NULL)
            {
              g_signal_connect (child, "notify::label", G_CALLBACK (title_label_changed_cb), NULL);
              title_label_changed_cb (GTK_LABEL (child));
            }
          gtk_label_set_justify (GTK_LABEL (child), GTK_JUSTIFY_CENTER);
        }
      _clmrs_wrap_labels_under (child);
    }
}

static void
collect_text (GtkWidget *root,
              GString   *text)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      if (!gtk_widget_get_visible (child))
        continue;
      if (ADW_IS_PREFERENCES_ROW (child))
        g_string_append_printf (text, "%s\n", adw_preferences_row_get_title (ADW_PREFERENCES_ROW (child)));
      if (ADW_IS_ACTION_ROW (child) && adw_action_row_get_subtitle (ADW_ACTION_ROW (child)) != NULL)
        g_string_append_printf (text, "%s\n", adw_action_row_get_subtitle (ADW_ACTION_ROW (child)));
      if (ADW_IS_PREFERENCES_GROUP (child) && adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (child)) != NULL)
        g_string_append_printf (text, "%s\n", adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (child)));
      if (GTK_IS_LABEL (child))
        g_string_append_printf (text, "%s\n", gtk_label_get_label (GTK_LABEL (child)));
      collect_text (child, text);
    }
}

char *
_clmrs_dup_shown_text (GtkWidget *root)
{
  GString *text = g_string_new (NULL);

  g_return_val_if_fail (GTK_IS_WIDGET (root), NULL);

  collect_text (root, text);
  return g_string_free (text, FALSE);
}

gint64
_clmrs_days_since (const char *since)
{
  g_autoptr(GDateTime) then = since != NULL ? clmrs_time_parse_rfc3339 (since) : NULL;
  g_autoptr(GDateTime) now = clmrs_now ();

  return then != NULL ? g_date_time_difference (now, then) / G_TIME_SPAN_DAY : 0;
}
