/* clmrs-rows-private.h: small list helpers shared by the app's pages. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* An AdwActionRow showing data: never markup (a name with "&" or "<" is
 * text), NULL title shown empty, no subtitle when NULL. */
GtkWidget *_clmrs_data_row        (const char *title,
                                   const char *subtitle);
/* Takes every row out of @list. */
void       _clmrs_list_remove_all (GtkListBox *list);
/* Scrolls every scrolled window under @root back to its top, so a page
 * shown to the next person does not open where the last one left it. */
void       _clmrs_scroll_to_top   (GtkWidget  *root);
/* Every label under @root (an AdwWindowTitle, a progress bar) wraps
 * between words, centred, instead of being cut with "…": libadwaita 1.2
 * and GTK have no property for it.  Never inside a word, which would let
 * a header give the label one letter's width ("Hous-ehold visit"). */
void       _clmrs_wrap_labels_under (GtkWidget *root);
/* Every title, subtitle, group title and label shown under @root, one a
 * line, in the order they are drawn (what tests read of a page). */
char      *_clmrs_dup_shown_text    (GtkWidget  *root);
/* Whole days from the RFC 3339 time @since (a record queued) to now;
 * 0 when it is no time. */
gint64     _clmrs_days_since       (const char *since);

G_END_DECLS
