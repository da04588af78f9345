/* clmrs-signature-pad.h: a drawing area a signature or a thumb mark is drawn on with a finger, kept as PNG. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CLMRS_TYPE_SIGNATURE_PAD (clmrs_signature_pad_get_type ())

G_DECLARE_FINAL_TYPE (ClmrsSignaturePad, clmrs_signature_pad, CLMRS, SIGNATURE_PAD, GtkWidget)

GtkWidget *clmrs_signature_pad_new       (void);
gboolean   clmrs_signature_pad_is_empty  (ClmrsSignaturePad  *self);
void       clmrs_signature_pad_clear     (ClmrsSignaturePad  *self);
/* The strokes drawn, black on white, as PNG at the pad's drawing size. */
GBytes    *clmrs_signature_pad_to_png    (ClmrsSignaturePad  *self,
                                          GError            **error);

G_END_DECLS
