/* label-audit.h: asserts that every control on screen has a name a screen reader speaks. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* Fails the test, naming each control (type, id, CSS name, ancestors,
 * what it shows) that is mapped on a visible toplevel window (the app
 * window, its dialogs, popovers that are up) and has no accessible name
 * as GTK 4.8 computes it: a non-empty accessible label, or a labelled-by
 * relation to widgets that have one; or that Tab cannot reach.  @screen
 * says which screen the test is on.  Needs GTK_A11Y=test: with "none"
 * GTK keeps no accessible attributes and the audit stops with that. */
void label_audit_screen (const char *screen);

/* The same for every visible widget under @root, mapped or not: the
 * content of a popover that is not up. */
void label_audit_tree   (GtkWidget  *root,
                         const char *screen);

G_END_DECLS
