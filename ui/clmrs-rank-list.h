/* clmrs-rank-list.h: the answer to an odk:rank question: every choice in a list the facilitator reorders with Up and Down. */
#pragma once

#include <gtk/gtk.h>

#include "xform.h"

G_BEGIN_DECLS

#define CLMRS_TYPE_RANK_LIST (clmrs_rank_list_get_type ())

G_DECLARE_FINAL_TYPE (ClmrsRankList, clmrs_rank_list, CLMRS, RANK_LIST, GtkWidget)

/* Every choice of @prompt (CLMRS_CONTROL_RANK), in the order of its
 * answer, or the form's order when it has none yet; emits "changed" (the
 * answer: the choices' values, most preferred first) when the order is
 * changed or kept. */
GtkWidget  *clmrs_rank_list_new       (const ClmrsPrompt *prompt);
/* Moves the choice at @position (from 0) one place up (@delta -1) or down (+1), as its buttons do. */
void        clmrs_rank_list_move      (ClmrsRankList     *self,
                                       guint              position,
                                       int                delta);
/* The order shown, values space-separated. */
char       *clmrs_rank_list_dup_order (ClmrsRankList     *self);
GtkWidget  *clmrs_rank_list_get_button (ClmrsRankList    *self,
                                        guint             position,
                                        int               delta);   /* NULL at an end */

G_END_DECLS
