/* contrast-audit.h: measures, on the rendered window, the contrast of every label against its background. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The WCAG AA minimum for text, what the app promises outdoors. */
#define CONTRAST_AA 4.5

/* Renders @window as it is on screen and, for each mapped label with
 * text inside it, measures the contrast ratio (WCAG 2: (L1 + 0.05) /
 * (L2 + 0.05) of relative luminances) between the label's background
 * (the commonest colour inside its visible bounds) and its text (the
 * colour furthest from the background that at least a few pixels
 * reach, so that a stray antialiased pixel counts for nothing).
 * Waits first for the window to be still (transitions over).  Labels
 * below CONTRAST_AA are appended to @failures, under @screen, with
 * their text and ratio; labels of a disabled button and an avatar's
 * initials are not measured (WCAG exempts inactive controls and
 * decoration).  Returns the lowest ratio measured. */
double contrast_audit_window (GtkWidget  *window,
                              const char *screen,
                              GString    *failures);

G_END_DECLS
