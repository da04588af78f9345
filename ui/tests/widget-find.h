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

/* The first button under @root whose label is @label, or NULL. */
GtkWidget *find_labelled_button (GtkWidget  *root,
                                 const char *label);

/* The first mapped widget under @root with the CSS class @css_class, or NULL. */
GtkWidget *find_with_class      (GtkWidget  *root,
                                 const char *css_class);

/* The first widget under @root with the CSS class @css_class, shown or
 * not (an expander's rows before it is opened), or NULL. */
GtkWidget *find_with_class_any  (GtkWidget  *root,
                                 const char *css_class);
/* The first label under @root whose text (as set, markup included) is @text, or NULL. */
GtkWidget *find_label           (GtkWidget  *root,
                                 const char *text);

G_END_DECLS
