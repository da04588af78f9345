/* widget-find.h: finding widgets in a tree, for the UI tests and the screenshot tool. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The first widget under @root (depth first, @root excluded) of @type, or NULL. */
GtkWidget *find_of_type (GtkWidget  *root,
                         GType       type);

/* The first button under @root whose "ref" data (the question or repeat
 * the wizard made it for) is @ref, or NULL. */
GtkWidget *find_button  (GtkWidget  *root,
                         const char *ref);

G_END_DECLS
