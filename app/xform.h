/* xform.h: the ODK XForms engine: load a form, fill it in, read its answers. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/*
 * A ClmrsForm is a parsed, checked, immutable form definition (shareable,
 * reference counted).  A ClmrsFormSession is one filling of it: the primary
 * instance document being answered.  Refs are absolute instance paths with
 * a 1-based index on every repeat step, e.g.
 * "/household_visit/children/child[2]/econ_hours_7d".
 *
 * Values cross the API as strings in the XForms lexical forms: int and
 * decimal as numbers, date YYYY-MM-DD, select1 one choice value, select
 * the chosen values separated by single spaces.  "" or NULL clears.
 */

#define CLMRS_XFORM_ERROR (clmrs_xform_error_quark ())

typedef enum {
  CLMRS_XFORM_ERROR_PARSE,         /* the XML is not well formed */
  CLMRS_XFORM_ERROR_INVALID,       /* structure: no model, bind to a missing node, ... */
  CLMRS_XFORM_ERROR_XPATH,         /* an expression does not compile */
  CLMRS_XFORM_ERROR_CYCLE,         /* calculate/relevant dependencies form a cycle */
  CLMRS_XFORM_ERROR_UNSUPPORTED,   /* a control or feature the engine does not implement */
  CLMRS_XFORM_ERROR_NO_SUCH_NODE,  /* a ref that names no question or repeat */
  CLMRS_XFORM_ERROR_READONLY,      /* a readonly or calculated question */
  CLMRS_XFORM_ERROR_TYPE,          /* a value that does not fit the question's type */
} ClmrsXformError;

GQuark clmrs_xform_error_quark (void);

typedef struct _ClmrsForm        ClmrsForm;
typedef struct _ClmrsFormSession ClmrsFormSession;

/* One problem found while loading or checking a form. */
typedef struct {
  char *file;     /* path or origin given to the loader */
  int   line;     /* 1-based line in the file, 0 when unknown */
  char *node;     /* the element, e.g. "bind[@nodeset='/h/age']" or "/h/age" */
  char *reason;   /* readable, e.g. "calculate refers to itself through /h/b" */
  gboolean warning; /* the form still loads: ODK defines what happens (e.g. a
                       reference to a node the instance lacks reads as empty) */
} ClmrsFormProblem;

void   clmrs_form_problem_free      (ClmrsFormProblem *problem);
char  *clmrs_form_problem_to_string (const ClmrsFormProblem *problem);  /* "file:line: node: reason",
                                                                           "file:line: node: warning: reason" */

/* Loading: a form that has any problem other than a warning is refused
 * whole (the first in @error); clmrs_form_check_file() reports every
 * problem and warning, and returns TRUE when the form loads. */
ClmrsForm   *clmrs_form_load_file    (const char  *path,
                                      GError     **error);
ClmrsForm   *clmrs_form_load_data    (const char  *data,
                                      gsize        length,
                                      const char  *origin,
                                      GError     **error);
ClmrsForm   *clmrs_form_load_builtin (const char  *name,      /* "household_visit" -> assets/forms/household_visit.xml */
                                      GError     **error);
ClmrsForm   *clmrs_form_load         (const char  *form,      /* a path (holds a '/') or a built-in form's name */
                                      GError     **error);
gboolean     clmrs_form_check_file   (const char  *path,
                                      GPtrArray  **problems);  /* (element-type ClmrsFormProblem) */

/*
 * Media files: a form's external secondary instances (<instance id="farmers"
 * src="jr://file-csv/farmers.csv"/>, jr://file/NAME.xml) are read when it
 * loads, through a resolver given the file's NAME ("farmers.csv", never a
 * path: a name holding '/' or starting with '.' is refused before the
 * resolver is asked).  The resolver returns the file's bytes, or NULL with
 * @error (G_IO_ERROR_NOT_FOUND when the form has no such file).  The loaded
 * form holds the parsed lists; the resolver is not called afterwards.
 * Without a resolver, a form with an external instance is refused, naming
 * the file it needs.  docs/form-format.md, "Media files".
 */
typedef GBytes *(*ClmrsFormMediaFunc) (const char  *name,
                                       gpointer     user_data,
                                       GError     **error);

/* A resolver reading NAME in the directory @user_data (a const char *path). */
GBytes      *clmrs_form_media_from_dir (const char  *name,
                                        gpointer     user_data,
                                        GError     **error);

/* The general loader: every problem, warnings included, goes to @problems
 * when given; the first error to @error.  Returns NULL when any problem is
 * an error (a form with warnings only loads). */
ClmrsForm   *clmrs_form_load_full    (const char          *data,
                                      gsize                length,
                                      const char          *origin,
                                      ClmrsFormMediaFunc   media,
                                      gpointer             media_data,
                                      GPtrArray          **problems,
                                      GError             **error);
/* clmrs_form_check_file() with the media files in @media_dir (NULL: none). */
gboolean     clmrs_form_check_file_full (const char  *path,
                                         const char  *media_dir,
                                         GPtrArray  **problems);

ClmrsForm   *clmrs_form_ref          (ClmrsForm   *form);
void         clmrs_form_unref        (ClmrsForm   *form);
const char  *clmrs_form_get_id       (ClmrsForm   *form);      /* the instance root's @id */
const char  *clmrs_form_get_version  (ClmrsForm   *form);      /* its @version, "" if none */
const char  *clmrs_form_get_title    (ClmrsForm   *form);      /* h:title */
const char * const *clmrs_form_get_languages (ClmrsForm *form);/* itext languages as written */

/* Filling in. */
typedef enum {
  CLMRS_CONTROL_INPUT,
  CLMRS_CONTROL_SELECT1,
  CLMRS_CONTROL_SELECT,
  CLMRS_CONTROL_TRIGGER,   /* an acknowledgement: its value is "OK" once acknowledged */
  CLMRS_CONTROL_RANGE,     /* a number from range_start to range_end in steps of range_step */
  CLMRS_CONTROL_RANK,      /* odk:rank: every choice's value, most preferred first, space-separated */
  CLMRS_CONTROL_UPLOAD,    /* <upload>: a file (a photo, a signature); its value is the file's name */
} ClmrsControl;

typedef enum {
  CLMRS_TYPE_STRING,
  CLMRS_TYPE_INT,
  CLMRS_TYPE_DECIMAL,
  CLMRS_TYPE_BOOLEAN,
  CLMRS_TYPE_DATE,
  CLMRS_TYPE_TIME,
  CLMRS_TYPE_DATETIME,
  CLMRS_TYPE_SELECT1,
  CLMRS_TYPE_SELECT,
  CLMRS_TYPE_GEOPOINT,
  CLMRS_TYPE_BINARY,        /* a file attached to the record: its name ("a1b2c3d4.jpg"), no path */
  CLMRS_TYPE_GEOTRACE,      /* "lat lon [alt acc];lat lon ..." at least 2 points, the last not the first */
  CLMRS_TYPE_GEOSHAPE,      /* the same, at least 3 points, the last the first (a closed shape) */
} ClmrsDataType;

typedef enum {
  CLMRS_PROMPT_QUESTION,    /* a control bound to a leaf */
  CLMRS_PROMPT_REPEAT_ADD,  /* the place to add another instance of a repeat without jr:count */
} ClmrsPromptKind;

typedef struct {
  char *value;
  char *label;              /* in the session's language */
} ClmrsChoice;

typedef struct {
  ClmrsPromptKind kind;
  char         *ref;         /* the leaf; for REPEAT_ADD the repeat's path, e.g. "/h/children/child" */
  ClmrsControl  control;
  ClmrsDataType type;
  char         *label;       /* itext resolved, <output/> substituted */
  char         *hint;        /* NULL if none */
  char         *appearance;  /* NULL if none */
  char         *value;       /* current value, NULL if empty */
  gboolean      required;
  gboolean      readonly;
  GPtrArray    *choices;     /* (element-type ClmrsChoice), NULL unless a select */
  char         *screen;      /* ref of the outermost field-list group holding it, or NULL:
                                consecutive prompts with the same screen share one page */
  char         *repeat;      /* ref of the innermost repeat instance holding it ("/h/children/child[2]"), or NULL */
  char         *section;     /* label of the innermost labelled group holding it inside that
                                instance (or outside any repeat), e.g. "School"; NULL if none */
  char         *repeat_label;    /* label of the repeat instance's kind, e.g. "Child"; NULL if none */
  guint         repeat_position; /* which instance, from 1 ("Child 2 of 3"); 0 outside a repeat */
  guint         repeat_total;    /* how many instances there are now */
  char         *repeat_name;     /* the instance's clmrs:field="name" answer ("Ama"), NULL if none yet */
  double        range_start;     /* CLMRS_CONTROL_RANGE: its bounds (start may exceed end) and step */
  double        range_end;
  double        range_step;
  char         *mediatype;       /* CLMRS_CONTROL_UPLOAD: the mediatype or accept it names (any image, audio...), NULL if none */
  guint         max_pixels;      /* CLMRS_CONTROL_UPLOAD: the bind's orx:max-pixels, 0 if none */
} ClmrsPrompt;

/* One instance of a repeat as a roster shows it: the answers that tell
 * the instances apart, from the leaves bound clmrs:field="name", "sex"
 * and "age" inside it (not inside a nested repeat or entity). */
typedef struct {
  char  *ref;       /* "/h/children/child[2]" */
  guint  position;  /* from 1, among the relevant instances */
  char  *name;      /* NULL when not answered yet */
  char  *sex;       /* the chosen choice's label in the session's language, NULL when not answered */
  char  *age;       /* as typed ("9"), NULL when not answered */
} ClmrsRepeatInstance;

typedef enum {
  CLMRS_CHECK_OK,
  CLMRS_CHECK_REQUIRED,      /* relevant, required and empty */
  CLMRS_CHECK_CONSTRAINT,    /* the constraint is false */
} ClmrsCheck;

typedef struct {
  char *ref;
  char *value;               /* NULL for a repeat instance marker */
} ClmrsFormValue;

typedef struct {
  char       *ref;           /* the group or repeat instance marked clmrs:entity */
  JsonObject *profile;       /* classification inputs from clmrs:profile binds, typed (docs/rules-format.md, "The child profile") */
  JsonObject *fields;        /* clmrs:field values, as strings */
  JsonObject *field_refs;    /* clmrs:field name -> the ref of its leaf (so ids can be filled in),
                                relevant or not yet */
} ClmrsEntityData;

void              clmrs_prompt_free             (ClmrsPrompt *prompt);
void              clmrs_repeat_instance_free    (ClmrsRepeatInstance *instance);
void              clmrs_form_value_free         (ClmrsFormValue *value);
void              clmrs_entity_data_free        (ClmrsEntityData *data);

ClmrsFormSession *clmrs_form_session_new        (ClmrsForm         *form,
                                                 GError           **error);
ClmrsFormSession *clmrs_form_session_new_full   (ClmrsForm         *form,
                                                 const char        *last_saved,  /* jr://instance/last-saved XML, or NULL */
                                                 GError           **error);
void              clmrs_form_session_free       (ClmrsFormSession  *session);
/* What jr:preload="property" reads ("deviceid", "username", ...). */
void              clmrs_form_session_set_property (ClmrsFormSession *session,
                                                   const char       *name,
                                                   const char       *value);
/* The device's location ("lat lon alt accuracy") for odk:setgeopoint. */
void              clmrs_form_session_set_location (ClmrsFormSession *session,
                                                   const char       *geopoint);
ClmrsForm        *clmrs_form_session_get_form   (ClmrsFormSession  *session);
const char       *clmrs_form_session_get_instance_id (ClmrsFormSession *session); /* meta/instanceID, "uuid:..." */
void              clmrs_form_session_set_language (ClmrsFormSession *session,
                                                   const char       *language); /* "en", "fr" or as written */
const char       *clmrs_form_session_get_language (ClmrsFormSession *session);  /* as written, NULL without itext */
/* The title in the session's language (itext `clmrs:form-title`), else h:title. */
char             *clmrs_form_session_dup_title    (ClmrsFormSession *session);

/* The relevant prompts in document order, groups entered and repeats expanded. */
GPtrArray        *clmrs_form_session_get_prompts (ClmrsFormSession *session); /* (element-type ClmrsPrompt) */
GPtrArray        *clmrs_form_session_get_outline (ClmrsFormSession *session); /* every prompt, relevant or not; see xform.c */

/* Whether @name can be a binary answer: a file name with an extension,
 * no directory, no scheme (the ODK XForms spec, "binary"). */
gboolean          clmrs_form_binary_name_is_valid (const char *name);

/* ODK's area() and distance() (the spec's geographic functions, as
 * JavaRosa computes them: an Earth of equatorial radius 6,378,100 m,
 * altitude ignored): the area in m2 enclosed by @points, and the length
 * in m of the path through them.  @points is a geotrace or geoshape value,
 * or one geopoint.  NaN when a point does not parse. */
double            clmrs_geo_area                 (const char *points);
double            clmrs_geo_distance             (const char *points);

/* Stores @value and recalculates.  Fails (nothing stored) on a type that
 * does not parse, a readonly or calculated node, or an unknown ref.  A
 * value breaking a constraint is stored: see clmrs_form_session_check(). */
gboolean          clmrs_form_session_set_answer (ClmrsFormSession  *session,
                                                 const char        *ref,
                                                 const char        *value,
                                                 GError           **error);
char             *clmrs_form_session_get_answer (ClmrsFormSession  *session,
                                                 const char        *ref);
ClmrsCheck        clmrs_form_session_check      (ClmrsFormSession  *session,
                                                 const char        *ref,
                                                 char             **message);  /* translated constraintMsg or a default */
GPtrArray        *clmrs_form_session_validate   (ClmrsFormSession  *session);  /* (element-type ClmrsFormProblem): node = ref; empty when it may be finalised */

char             *clmrs_form_session_add_repeat    (ClmrsFormSession *session,
                                                    const char       *repeat_path,   /* "/h/children/child" */
                                                    GError          **error);        /* returns the new instance's ref */
gboolean          clmrs_form_session_remove_repeat (ClmrsFormSession *session,
                                                    const char       *instance_ref,  /* "/h/children/child[2]" */
                                                    GError          **error);
guint             clmrs_form_session_count_repeat  (ClmrsFormSession *session,
                                                    const char       *repeat_path);
/* The relevant instances of @repeat_path in document order, named for a roster. */
GPtrArray        *clmrs_form_session_list_repeat_instances (ClmrsFormSession *session,
                                                            const char       *repeat_path); /* (element-type ClmrsRepeatInstance) */

/* Drafts: every answered leaf and every repeat instance, in document order;
 * applying them to a fresh session restores the filling exactly. */
GPtrArray        *clmrs_form_session_list_values  (ClmrsFormSession *session); /* (element-type ClmrsFormValue) */
gboolean          clmrs_form_session_apply_values (ClmrsFormSession *session,
                                                   GPtrArray        *values,
                                                   GError          **error);

/* Output: answers as JSON (element names as keys, repeats as arrays,
 * non-relevant nodes left out) and the submission XML. */
JsonNode         *clmrs_form_session_to_json      (ClmrsFormSession *session);
char             *clmrs_form_session_to_xml       (ClmrsFormSession *session);
/* Pre-fills a fresh session from JSON of the same shape (a follow-up from
 * the child's last visit); unknown keys are an error naming them. */
gboolean          clmrs_form_session_load_json    (ClmrsFormSession *session,
                                                   JsonNode         *answers,
                                                   GError          **error);

/* The instances of every group or repeat bound with clmrs:entity="@entity". */
GPtrArray        *clmrs_form_session_get_entities (ClmrsFormSession *session,
                                                   const char       *entity); /* (element-type ClmrsEntityData) */
/* The repeats bound with clmrs:entity="@entity", known even without an
 * instance: ref is the repeat's path ("/h/children/child"), field_refs its
 * clmrs:field leaves relative to one instance ("identity/name"). */
GPtrArray        *clmrs_form_get_entity_repeats   (ClmrsForm        *form,
                                                   const char       *entity); /* (element-type ClmrsEntityData) */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClmrsForm, clmrs_form_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClmrsFormSession, clmrs_form_session_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClmrsFormProblem, clmrs_form_problem_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClmrsPrompt, clmrs_prompt_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClmrsRepeatInstance, clmrs_repeat_instance_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClmrsFormValue, clmrs_form_value_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClmrsEntityData, clmrs_entity_data_free)

G_END_DECLS
