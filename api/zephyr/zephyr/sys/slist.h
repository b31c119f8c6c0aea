/**
 * @file zephyr/sys/slist.h
 * @brief The part of Zephyr's singly linked list that heap listeners use:
 *        the node and list types and their basic operations.
 */
#ifndef ZEPHYR_INCLUDE_SYS_SLIST_H_
#define ZEPHYR_INCLUDE_SYS_SLIST_H_

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief A node of a singly linked list (embedded in the listed object). */
typedef struct _snode {
  struct _snode *next; /**< The next node, or NULL. */
} sys_snode_t;

/** @brief A singly linked list. */
typedef struct _slist {
  sys_snode_t *head; /**< First node, or NULL. */
  sys_snode_t *tail; /**< Last node, or NULL. */
} sys_slist_t;

/** Static initialiser of an empty list `list`. */
#define SYS_SLIST_STATIC_INIT(list) {NULL, NULL}

/**
 * @brief Iterates `sn` over the nodes of `l`.
 * @param l  The list (sys_slist_t *).
 * @param sn A sys_snode_t * variable.
 */
#define SYS_SLIST_FOR_EACH_NODE(l, sn) for ((sn) = (l)->head; (sn) != NULL; (sn) = (sn)->next)

/**
 * @brief Empties a list.
 * @param list The list.
 */
static inline void sys_slist_init(sys_slist_t *list) {
  list->head = NULL;
  list->tail = NULL;
}

/**
 * @brief Whether a list is empty.
 * @param list The list.
 * @return true if it has no node.
 */
static inline bool sys_slist_is_empty(const sys_slist_t *list) { return list->head == NULL; }

/**
 * @brief The first node.
 * @param list The list.
 * @return The first node, or NULL.
 */
static inline sys_snode_t *sys_slist_peek_head(const sys_slist_t *list) { return list->head; }

/**
 * @brief The node after `node`.
 * @param node A node of a list, or NULL.
 * @return The next node, or NULL.
 */
static inline sys_snode_t *sys_slist_peek_next(sys_snode_t *node) {
  return node != NULL ? node->next : NULL;
}

/**
 * @brief Appends a node.
 * @param list The list.
 * @param node A node in no list.
 */
static inline void sys_slist_append(sys_slist_t *list, sys_snode_t *node) {
  node->next = NULL;
  if (list->tail == NULL) {
    list->head = node;
  } else {
    list->tail->next = node;
  }
  list->tail = node;
}

/**
 * @brief Prepends a node.
 * @param list The list.
 * @param node A node in no list.
 */
static inline void sys_slist_prepend(sys_slist_t *list, sys_snode_t *node) {
  node->next = list->head;
  list->head = node;
  if (list->tail == NULL) list->tail = node;
}

/**
 * @brief Removes a node if it is in the list.
 * @param list The list.
 * @param node The node.
 * @return true if it was found (and removed).
 */
static inline bool sys_slist_find_and_remove(sys_slist_t *list, sys_snode_t *node) {
  sys_snode_t *prev = NULL;
  sys_snode_t *n;
  for (n = list->head; n != NULL; prev = n, n = n->next) {
    if (n != node) continue;
    if (prev == NULL) {
      list->head = n->next;
    } else {
      prev->next = n->next;
    }
    if (list->tail == n) list->tail = prev;
    n->next = NULL;
    return true;
  }
  return false;
}

#ifdef __cplusplus
}
#endif

#endif /* ZEPHYR_INCLUDE_SYS_SLIST_H_ */
