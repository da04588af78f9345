/* clmrs-month-chart.c: a small bar chart of one percentage per month (cairo). */
#define G_LOG_DOMAIN "clmrs-month-chart"

#include "config.h"

#include "clmrs-month-chart.h"
#include "clmrs-i18n.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdio.h>

struct _ClmrsMonthChart
{
  GtkWidget  parent_instance;

  /* Owned references */
  GPtrArray *labels;    /* of char*, short month names */
  GArray    *percents;  /* of double */
  GPtrArray *drawn;     /* of char*, the texts the last snapshot drew, left to right */
};

G_DEFINE_FINAL_TYPE (ClmrsMonthChart, clmrs_month_chart, GTK_TYPE_WIDGET)

static void
clmrs_month_chart_snapshot (GtkWidget   *widget,
                            GtkSnapshot *snapshot)
{
  ClmrsMonthChart *self = CLMRS_MONTH_CHART (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  guint n = self->percents->len;
  double top = 22, bottom = 24, max = 0, slot, bar;
  GdkRGBA fg, accent = { 0.11, 0.44, 0.85, 1 };
  PangoLayout *layout, *values;
  cairo_t *cr;
  int widest = 0, widest_value = 0;
  guint step, value_step;

  g_ptr_array_set_size (self->drawn, 0);
  if (n == 0 || width <= 0 || height <= top + bottom)
    return;
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  for (guint i = 0; i < n; i++)
    max = MAX (max, g_array_index (self->percents, double, i));
  max = max < 10 ? 10 : ceil (max / 10) * 10;
  slot = (double) width / n;
  bar = MIN (slot * 0.66, 48);

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  layout = gtk_widget_create_pango_layout (widget, NULL);

  /* month names every @step months when they do not all fit, counted back
     from the latest so it always has its name */
  for (guint i = 0; i < n; i++)
    {
      int lw;

      pango_layout_set_text (layout, g_ptr_array_index (self->labels, i), -1);
      pango_layout_get_pixel_size (layout, &lw, NULL);
      widest = MAX (widest, lw);
    }
  step = MAX (1, (guint) ceil ((widest + 8) / slot));

  /* the values: in a smaller font when a bar is narrow (a phone's 12 bars),
     on every @value_step-th bar counted back from the latest when even so
     they do not all fit, so the latest month always shows its value */
  values = gtk_widget_create_pango_layout (widget, NULL);
  if (slot < 36)
    {
      PangoAttrList *attrs = pango_attr_list_new ();

      pango_attr_list_insert (attrs, pango_attr_scale_new (PANGO_SCALE_SMALL));
      pango_layout_set_attributes (values, attrs);
      pango_attr_list_unref (attrs);
    }
  for (guint i = 0; i < n; i++)
    {
      double value = g_array_index (self->percents, double, i);
      g_autofree char *text = NULL;
      int lw;

      if (value < 0)
        continue;
      text = g_strdup_printf ("%.0f%%", value);
      pango_layout_set_text (values, text, -1);
      pango_layout_get_pixel_size (values, &lw, NULL);
      widest_value = MAX (widest_value, lw);
    }
  value_step = MAX (1, (guint) ceil ((widest_value + 4) / slot));

  /* baseline */
  cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.3);
  cairo_rectangle (cr, 0, height - bottom, width, 1);
  cairo_fill (cr);

  for (guint i = 0; i < n; i++)
    {
      double value = g_array_index (self->percents, double, i);
      double x = i * slot + (slot - bar) / 2;
      double h = value > 0 ? (height - top - bottom) * value / max : 0;
      int lw, lh;

      if (value >= 0)
        {
          g_autofree char *text = g_strdup_printf ("%.0f%%", value);

          cairo_set_source_rgba (cr, accent.red, accent.green, accent.blue, 1);
          cairo_rectangle (cr, x, height - bottom - h, bar, h);
          cairo_fill (cr);
          if ((n - 1 - i) % value_step == 0)
            {
              pango_layout_set_text (values, text, -1);
              pango_layout_get_pixel_size (values, &lw, &lh);
              cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.9);
              /* centred on its bar, kept inside the chart at either end */
              cairo_move_to (cr, CLAMP (i * slot + (slot - lw) / 2, 0, MAX (0, width - lw)),
                             height - bottom - h - lh - 2);
              pango_cairo_show_layout (cr, values);
              g_ptr_array_add (self->drawn, g_steal_pointer (&text));
            }
        }
      pango_layout_set_text (layout, g_ptr_array_index (self->labels, i), -1);
      pango_layout_get_pixel_size (layout, &lw, &lh);
      if ((n - 1 - i) % step == 0)
        {
          cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.7);
          cairo_move_to (cr, i * slot + (slot - lw) / 2, height - bottom + 4);
          pango_cairo_show_layout (cr, layout);
          g_ptr_array_add (self->drawn, g_strdup (g_ptr_array_index (self->labels, i)));
        }
    }
  g_object_unref (values);
  g_object_unref (layout);
  cairo_destroy (cr);
}

static void
clmrs_month_chart_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *minimum = *natural = 240;
  else
    *minimum = *natural = 180;
}

void
clmrs_month_chart_set_values (ClmrsMonthChart    *self,
                              const char * const *months,
                              const double       *percents,
                              guint               n)
{
  g_autoptr(GString) description = g_string_new (NULL);

  g_return_if_fail (CLMRS_IS_MONTH_CHART (self));
  g_return_if_fail (n == 0 || (months != NULL && percents != NULL));

  g_ptr_array_set_size (self->labels, 0);
  g_array_set_size (self->percents, 0);
  for (guint i = 0; i < n; i++)
    {
      int year = 0, month = 0;
      char *label = NULL;

      if (sscanf (months[i], "%d-%d", &year, &month) == 2 && month >= 1 && month <= 12)
        label = g_strdup (clmrs_i18n_month_abbreviation (month));
      g_ptr_array_add (self->labels, label != NULL ? label : g_strdup (months[i]));
      g_array_append_val (self->percents, percents[i]);
      if (percents[i] >= 0)
        g_string_append_printf (description, "%s%s %.0f%%", description->len ? ", " : "", months[i], percents[i]);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description->str,
                                  -1);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
clmrs_month_chart_get_n_bars (ClmrsMonthChart *self)
{
  g_return_val_if_fail (CLMRS_IS_MONTH_CHART (self), 0);

  return self->percents->len;
}

/**
 * clmrs_month_chart_dup_drawn:
 *
 * Returns: (transfer full): the texts (values such as "40%", month names)
 * the chart drew at its last snapshot, bar by bar from the left, each
 * value before its month; empty before the first snapshot.  For tests:
 * what a narrow chart still shows.
 */
GStrv
clmrs_month_chart_dup_drawn (ClmrsMonthChart *self)
{
  GStrvBuilder *builder;
  GStrv texts;

  g_return_val_if_fail (CLMRS_IS_MONTH_CHART (self), NULL);

  builder = g_strv_builder_new ();
  for (guint i = 0; i < self->drawn->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (self->drawn, i));
  texts = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return texts;
}

static void
clmrs_month_chart_finalize (GObject *object)
{
  ClmrsMonthChart *self = (ClmrsMonthChart *) object;

  g_ptr_array_unref (self->labels);
  g_array_unref (self->percents);
  g_ptr_array_unref (self->drawn);

  G_OBJECT_CLASS (clmrs_month_chart_parent_class)->finalize (object);
}

static void
clmrs_month_chart_class_init (ClmrsMonthChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = clmrs_month_chart_finalize;
  widget_class->snapshot = clmrs_month_chart_snapshot;
  widget_class->measure = clmrs_month_chart_measure;
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
  gtk_widget_class_set_css_name (widget_class, "monthchart");
}

static void
clmrs_month_chart_init (ClmrsMonthChart *self)
{
  self->labels = g_ptr_array_new_with_free_func (g_free);
  self->percents = g_array_new (FALSE, FALSE, sizeof (double));
  self->drawn = g_ptr_array_new_with_free_func (g_free);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Children found in child labour, by month"),
                                  -1);
}

GtkWidget *
clmrs_month_chart_new (void)
{
  return g_object_new (CLMRS_TYPE_MONTH_CHART, NULL);
}
