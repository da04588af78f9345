/* clmrs-rank-list.c: the answer to an odk:rank question: every choice in a list the facilitator reorders with Up and Down. */
#define G_LOG_DOMAIN "clmrs-rank-list"

#include "config.h"

#include "clmrs-rank-list.h"

#include <adwaita.h>
#include <glib/gi18n.h>

struct _ClmrsRankList
{
  GtkWidget   parent_instance;

  /* Owned references */
  GPtrArray  *order;      /* (element-type ClmrsChoice), borrowed from @choices, in the order shown */
  GPtrArray  *choices;    /* (element-type ClmrsChoice) */

  /* Borrowed references */
  GtkWidget  *box;
  GtkListBox *list;
  GtkWidget  *keep;       /* "Keep This Order", until there is an answer */
};

G_DEFINE_FINAL_TYPE (ClmrsRankList, clmrs_rank_list, GTK_TYPE_WIDGET)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void rebuild (ClmrsRankList *self, int focus_position, int focus_delta);

static const char *
choice_text (const ClmrsChoice *choice)
{
  return choice->label != NULL ? choice->label : choice->value;
}

char *
clmrs_rank_list_dup_order (ClmrsRankList *self)
{
  g_autoptr(GString) order = g_string_new (NULL);

  g_return_val_if_fail (CLMRS_IS_RANK_LIST (self), NULL);

  for (guint i = 0; i < self->order->len; i++)
    g_string_append_printf (order, "%s%s", i ? " " : "", ((ClmrsChoice *) g_ptr_array_index (self->order, i))->value);
  return g_strdup (order->str);
}

static void
emit_changed (ClmrsRankList *self)
{
  g_autofree char *order = clmrs_rank_list_dup_order (self);

  gtk_widget_set_visible (self->keep, FALSE);
  g_signal_emit (self, signals[CHANGED], 0, order);
}

void
clmrs_rank_list_move (ClmrsRankList *self,
                      guint          position,
                      int            delta)
{
  gpointer moved;
  int target = (int) position + delta;

  g_return_if_fail (CLMRS_IS_RANK_LIST (self));
  g_return_if_fail (delta == -1 || delta == 1);

  if (position >= self->order->len || target < 0 || target >= (int) self->order->len)
    return;
  moved = self->order->pdata[position];
  self->order->pdata[position] = self->order->pdata[target];
  self->order->pdata[target] = moved;
  /* the focus follows the choice moved, so Up can be pressed again */
  rebuild (self, target, delta);
  emit_changed (self);
}

static void
move_clicked_cb (GtkButton     *button,
                 ClmrsRankList *self)
{
  clmrs_rank_list_move (self, GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "position")),
                        GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "delta")));
}

static void
keep_clicked_cb (GtkButton     *button,
                 ClmrsRankList *self)
{
  emit_changed (self);
}

static GtkWidget *
move_button (ClmrsRankList     *self,
             const ClmrsChoice *choice,
             guint              position,
             int                delta)
{
  GtkWidget *button = gtk_button_new_from_icon_name (delta < 0 ? "go-up-symbolic" : "go-down-symbolic");
  /* Translators: a button's name for screen readers; %s is a choice */
  g_autofree char *name = g_strdup_printf (delta < 0 ? _("Move %s up") : _("Move %s down"), choice_text (choice));

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (button, 52, 52);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, delta < 0 ? _("Up") : _("Down"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  gtk_widget_set_sensitive (button, delta < 0 ? position > 0 : position + 1 < self->order->len);
  g_object_set_data (G_OBJECT (button), "position", GUINT_TO_POINTER (position));
  g_object_set_data (G_OBJECT (button), "delta", GINT_TO_POINTER (delta));
  g_signal_connect (button, "clicked", G_CALLBACK (move_clicked_cb), self);
  return button;
}

static void
rebuild (ClmrsRankList *self,
         int            focus_position,
         int            focus_delta)
{
  GtkWidget *child;
  GtkWidget *focus = NULL;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  for (guint i = 0; i < self->order->len; i++)
    {
      const ClmrsChoice *choice = g_ptr_array_index (self->order, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *up = move_button (self, choice, i, -1);
      GtkWidget *down = move_button (self, choice, i, 1);
      /* Translators: a choice's place in a ranking, "1." */
      g_autofree char *place = g_strdup_printf (_("%u."), i + 1);
      GtkWidget *number = gtk_label_new (place);

      gtk_widget_add_css_class (number, "title-4");
      gtk_widget_set_size_request (number, 32, -1);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), choice_text (choice));
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), number);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), up);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), down);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
      gtk_widget_add_css_class (row, "choice-row");
      gtk_list_box_append (self->list, row);
      if ((int) i == focus_position)
        focus = gtk_widget_get_sensitive (focus_delta < 0 ? up : down) ? (focus_delta < 0 ? up : down)
                                                                        : (focus_delta < 0 ? down : up);
    }
  if (focus != NULL)
    gtk_widget_grab_focus (focus);
}

GtkWidget *
clmrs_rank_list_get_button (ClmrsRankList *self,
                            guint          position,
                            int            delta)
{
  GtkWidget *row;
  GtkWidget *found = NULL;

  g_return_val_if_fail (CLMRS_IS_RANK_LIST (self), NULL);

  row = GTK_WIDGET (gtk_list_box_get_row_at_index (self->list, (int) position));
  if (row == NULL)
    return NULL;
  /* the row's suffixes, found by what they do */
  for (GtkWidget *w = gtk_widget_get_first_child (row); w != NULL && found == NULL;)
    {
      if (GTK_IS_BUTTON (w) && g_object_get_data (G_OBJECT (w), "delta") == GINT_TO_POINTER (delta))
        found = w;
      else if (gtk_widget_get_first_child (w) != NULL)
        w = gtk_widget_get_first_child (w);
      else
        {
          while (w != NULL && w != row && gtk_widget_get_next_sibling (w) == NULL)
            w = gtk_widget_get_parent (w);
          w = (w == NULL || w == row) ? NULL : gtk_widget_get_next_sibling (w);
        }
    }
  return found != NULL && gtk_widget_get_sensitive (found) ? found : NULL;
}

static void
clmrs_rank_list_dispose (GObject *object)
{
  ClmrsRankList *self = CLMRS_RANK_LIST (object);

  g_clear_pointer (&self->box, gtk_widget_unparent);
  G_OBJECT_CLASS (clmrs_rank_list_parent_class)->dispose (object);
}

static void
clmrs_rank_list_finalize (GObject *object)
{
  ClmrsRankList *self = CLMRS_RANK_LIST (object);

  g_clear_pointer (&self->order, g_ptr_array_unref);
  g_clear_pointer (&self->choices, g_ptr_array_unref);
  G_OBJECT_CLASS (clmrs_rank_list_parent_class)->finalize (object);
}

static void
clmrs_rank_list_class_init (ClmrsRankListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = clmrs_rank_list_dispose;
  object_class->finalize = clmrs_rank_list_finalize;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "rank-list");

  /* the order, as the answer: values space-separated, most preferred first */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
clmrs_rank_list_init (ClmrsRankList *self)
{
  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));
  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->list));
  self->keep = gtk_button_new_with_mnemonic (_("_Keep This Order"));
  gtk_widget_add_css_class (self->keep, "pill");
  gtk_widget_set_halign (self->keep, GTK_ALIGN_START);
  gtk_widget_set_size_request (self->keep, -1, 52);
  g_signal_connect (self->keep, "clicked", G_CALLBACK (keep_clicked_cb), self);
  gtk_box_append (GTK_BOX (self->box), self->keep);
}

static ClmrsChoice *
choice_copy (const ClmrsChoice *choice)
{
  ClmrsChoice *copy = g_new0 (ClmrsChoice, 1);

  copy->value = g_strdup (choice->value);
  copy->label = g_strdup (choice->label);
  return copy;
}

static void
choice_free (ClmrsChoice *choice)
{
  g_free (choice->value);
  g_free (choice->label);
  g_free (choice);
}

GtkWidget *
clmrs_rank_list_new (const ClmrsPrompt *prompt)
{
  ClmrsRankList *self;
  g_auto(GStrv) ranked = NULL;

  g_return_val_if_fail (prompt != NULL, NULL);

  self = g_object_new (CLMRS_TYPE_RANK_LIST, NULL);
  self->choices = g_ptr_array_new_with_free_func ((GDestroyNotify) choice_free);
  self->order = g_ptr_array_new ();
  g_object_set_data_full (G_OBJECT (self), "ref", g_strdup (prompt->ref), g_free);
  for (guint i = 0; prompt->choices != NULL && i < prompt->choices->len; i++)
    g_ptr_array_add (self->choices, choice_copy (g_ptr_array_index (prompt->choices, i)));
  /* the answer's order first (a ranking holds every choice once) */
  ranked = g_strsplit (prompt->value != NULL ? prompt->value : "", " ", -1);
  for (guint r = 0; ranked[r] != NULL; r++)
    for (guint i = 0; i < self->choices->len; i++)
      {
        ClmrsChoice *choice = g_ptr_array_index (self->choices, i);

        if (g_str_equal (choice->value, ranked[r]) && !g_ptr_array_find (self->order, choice, NULL))
          g_ptr_array_add (self->order, choice);
      }
  for (guint i = 0; i < self->choices->len; i++)
    if (!g_ptr_array_find (self->order, g_ptr_array_index (self->choices, i), NULL))
      g_ptr_array_add (self->order, g_ptr_array_index (self->choices, i));
  gtk_widget_set_visible (self->keep, prompt->value == NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self), !prompt->readonly);
  rebuild (self, -1, 0);
  return GTK_WIDGET (self);
}
