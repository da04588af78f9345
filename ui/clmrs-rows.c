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
          gtk_label_set_justify (GTK_LABEL (child), GTK_JUSTIFY_CENTER);
        }
      _clmrs_wrap_labels_under (child);
    }
}

gint64
_clmrs_days_since (const char *since)
{
  g_autoptr(GDateTime) then = since != NULL ? clmrs_time_parse_rfc3339 (since) : NULL;
  g_autoptr(GDateTime) now = clmrs_now ();

  return then != NULL ? g_date_time_difference (now, then) / G_TIME_SPAN_DAY : 0;
}
