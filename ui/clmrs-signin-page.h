/* clmrs-signin-page.h: pick your name, then type your PIN on a large keypad. */
#pragma once

#include <adwaita.h>

#include "clmrs-db-worker.h"

G_BEGIN_DECLS

#define CLMRS_TYPE_SIGNIN_PAGE (clmrs_signin_page_get_type ())

G_DECLARE_FINAL_TYPE (ClmrsSigninPage, clmrs_signin_page, CLMRS, SIGNIN_PAGE, AdwBin)

GtkWidget *clmrs_signin_page_new        (void);
void       clmrs_signin_page_set_worker (ClmrsSigninPage *self,
                                         ClmrsDbWorker   *worker);
/* @people: (element-type ClmrsPerson), copied. */
void       clmrs_signin_page_set_people (ClmrsSigninPage *self,
                                         GPtrArray       *people);
/* Back to the list of names, PIN cleared. */
void       clmrs_signin_page_reset      (ClmrsSigninPage *self);
/* Chooses the person @person_id as a tap on their name does. */
gboolean   clmrs_signin_page_select     (ClmrsSigninPage *self,
                                         const char      *person_id);
/* Types @digits as taps on the keypad do; "OK" taps with "\n". */
void       clmrs_signin_page_type       (ClmrsSigninPage *self,
                                         const char      *digits);

G_END_DECLS
