/* clmrs-month-chart.h: a small bar chart of one percentage per month (cairo). */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CLMRS_TYPE_MONTH_CHART (clmrs_month_chart_get_type ())

G_DECLARE_FINAL_TYPE (ClmrsMonthChart, clmrs_month_chart, CLMRS, MONTH_CHART, GtkWidget)

GtkWidget *clmrs_month_chart_new        (void);
/* @months: "YYYY-MM" each; @percents: 0-100, or < 0 when unknown. */
void       clmrs_month_chart_set_values (ClmrsMonthChart    *self,
                                         const char * const *months,
                                         const double       *percents,
                                         guint               n);
guint      clmrs_month_chart_get_n_bars (ClmrsMonthChart    *self);
GStrv      clmrs_month_chart_dup_drawn  (ClmrsMonthChart    *self);

G_END_DECLS
