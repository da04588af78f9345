/* clmrs-enrol-page-private.h: the enrol page's widgets, for tests. */
#pragma once

#include "clmrs-enrol-page.h"

G_BEGIN_DECLS

GtkWidget *clmrs_enrol_page_get_widget (ClmrsEnrolPage *self,
                                        const char     *name);

G_END_DECLS
