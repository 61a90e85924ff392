//! Keyed list diffs: the operations that turn the previous snapshot of a
//! list into the new one, in an order a UI list (RecyclerView's
//! `notifyItem*`, a SwiftUI/`UICollectionView` batch update, a plain
//! mutable list) can apply one after the other.
//!
//! Every index refers to the list as it is after the operations before it.
//! Keys identify items across snapshots (a post id, a channel id); an item
//! whose key is in both lists but whose content changed gets an `Update`
//! carrying a patch (for flat lists simply the new item).

use std::collections::{HashMap, HashSet};
use std::hash::Hash;

/// One step of a list diff.
#[derive(Debug, Clone, PartialEq)]
pub enum ListOp<T, P = T> {
    /// Remove the item at `index`.
    Remove { index: usize },
    /// Insert `item` so that it ends up at `index`.
    Insert { index: usize, item: T },
    /// Take the item at `from` out and put it back so it ends up at `to`
    /// (RecyclerView's `notifyItemMoved(from, to)`).
    Move { from: usize, to: usize },
    /// The item at `index` changed; `patch` says how.
    Update { index: usize, patch: P },
}

/// Items of a diffable list name their identity.
pub trait Keyed {
    type Key: Eq + Hash + Clone;
    fn key(&self) -> Self::Key;
}

/// The operations turning `old` into `new`, where changed items are
/// described by `patch(old_item, new_item)` (`None`: unchanged).
///
/// Removals come first (highest index first), then inserts and moves in the
/// order of the new list, then updates at their final indices. Moves are
/// minimal: items on a longest increasing run of the old order stay put.
/// Lists with duplicate keys cannot be matched by key and are replaced
/// wholesale (remove all, insert all).
pub fn diff_with<T, P>(
    old: &[T],
    new: &[T],
    patch: impl Fn(&T, &T) -> Option<P>,
) -> Vec<ListOp<T, P>>
where
    T: Keyed + Clone,
{
    let old_keys: Vec<T::Key> = old.iter().map(Keyed::key).collect();
    let new_keys: Vec<T::Key> = new.iter().map(Keyed::key).collect();
    let new_index: HashMap<&T::Key, usize> =
        new_keys.iter().enumerate().map(|(i, k)| (k, i)).collect();
    let old_index: HashMap<&T::Key, usize> =
        old_keys.iter().enumerate().map(|(i, k)| (k, i)).collect();
    if new_index.len() != new.len() || old_index.len() != old.len() {
        return replace_all(old.len(), new);
    }

    let mut ops = Vec::new();

    // Removals, from the back so earlier indices stay valid.
    for (index, key) in old_keys.iter().enumerate().rev() {
        if !new_index.contains_key(key) {
            ops.push(ListOp::Remove { index });
        }
    }
    // What is left, in old order, and which of it stays put.
    let mut current: Vec<T::Key> = old_keys
        .iter()
        .filter(|k| new_index.contains_key(k))
        .cloned()
        .collect();
    let targets: Vec<usize> = current.iter().map(|k| new_index[k]).collect();
    let stable: HashSet<usize> = longest_increasing_run(&targets)
        .into_iter()
        .map(|position| targets[position])
        .collect();

    // Walk the new list: every item that is not stable is inserted or moved
    // right behind its predecessor in the new order. Stable items keep
    // their relative order, so when the walk ends the list is the new one.
    for (target, key) in new_keys.iter().enumerate() {
        if stable.contains(&target) {
            continue;
        }
        let behind = match target {
            0 => 0,
            _ => position_of(&current, &new_keys[target - 1]) + 1,
        };
        if old_index.contains_key(key) {
            let from = position_of(&current, key);
            let to = if from < behind { behind - 1 } else { behind };
            let moved = current.remove(from);
            current.insert(to, moved);
            if from != to {
                ops.push(ListOp::Move { from, to });
            }
        } else {
            current.insert(behind, key.clone());
            ops.push(ListOp::Insert {
                index: behind,
                item: new[target].clone(),
            });
        }
    }
    debug_assert!(current == new_keys);

    for (index, item) in new.iter().enumerate() {
        if let Some(&before) = old_index.get(&new_keys[index]) {
            if let Some(patch) = patch(&old[before], item) {
                ops.push(ListOp::Update { index, patch });
            }
        }
    }
    ops
}

/// [`diff_with`] for flat lists: a changed item is replaced by its new value.
pub fn diff<T>(old: &[T], new: &[T]) -> Vec<ListOp<T>>
where
    T: Keyed + Clone + PartialEq,
{
    diff_with(old, new, |before, after| {
        (before != after).then(|| after.clone())
    })
}

/// Applies `ops` to `list`; `patch` applies an `Update`. Fails (leaving
/// `list` partly changed) when an index is out of range, which means the
/// ops were not made for this list.
pub fn apply_with<T, P>(
    list: &mut Vec<T>,
    ops: impl IntoIterator<Item = ListOp<T, P>>,
    mut patch: impl FnMut(&mut T, P),
) -> Result<(), OutOfRange> {
    for op in ops {
        match op {
            ListOp::Remove { index } if index < list.len() => {
                list.remove(index);
            }
            ListOp::Insert { index, item } if index <= list.len() => list.insert(index, item),
            ListOp::Move { from, to } if from < list.len() && to < list.len() => {
                let item = list.remove(from);
                list.insert(to, item);
            }
            ListOp::Update { index, patch: p } if index < list.len() => patch(&mut list[index], p),
            _ => return Err(OutOfRange),
        }
    }
    Ok(())
}

/// [`apply_with`] for flat lists.
pub fn apply<T>(
    list: &mut Vec<T>,
    ops: impl IntoIterator<Item = ListOp<T>>,
) -> Result<(), OutOfRange> {
    apply_with(list, ops, |item, new| *item = new)
}

/// A diff referred to an index the list does not have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("list diff does not fit the list")]
pub struct OutOfRange;

fn replace_all<T: Clone, P>(old_len: usize, new: &[T]) -> Vec<ListOp<T, P>> {
    (0..old_len)
        .rev()
        .map(|index| ListOp::Remove { index })
        .chain(
            new.iter()
                .cloned()
                .enumerate()
                .map(|(index, item)| ListOp::Insert { index, item }),
        )
        .collect()
}

fn position_of<K: Eq>(keys: &[K], key: &K) -> usize {
    keys.iter()
        .position(|k| k == key)
        .expect("diff bookkeeping: every key of the walk is in the list")
}

/// Positions (into `values`) of one longest strictly increasing
/// subsequence, in O(n log n) (patience sorting).
fn longest_increasing_run(values: &[usize]) -> Vec<usize> {
    // tails[len] = position of the smallest tail of an increasing run of
    // length len + 1; previous[p] = the position before p in its run.
    let mut tails: Vec<usize> = Vec::new();
    let mut previous: Vec<Option<usize>> = vec![None; values.len()];
    for (position, &value) in values.iter().enumerate() {
        let length = tails.partition_point(|&t| values[t] < value);
        previous[position] = length.checked_sub(1).map(|l| tails[l]);
        if length == tails.len() {
            tails.push(position);
        } else {
            tails[length] = position;
        }
    }
    let mut run = Vec::with_capacity(tails.len());
    let mut at = tails.last().copied();
    while let Some(position) = at {
        run.push(position);
        at = previous[position];
    }
    run.reverse();
    run
}

#[cfg(test)]
mod tests {
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    use super::*;

    #[derive(Debug, Clone, PartialEq)]
    struct Item {
        id: u32,
        text: String,
    }

    impl Keyed for Item {
        type Key = u32;
        fn key(&self) -> u32 {
            self.id
        }
    }

    fn item(id: u32, text: &str) -> Item {
        Item {
            id,
            text: text.to_owned(),
        }
    }

    fn items(ids: &[u32]) -> Vec<Item> {
        ids.iter().map(|&id| item(id, "")).collect()
    }

    fn applied(old: &[Item], ops: Vec<ListOp<Item>>) -> Vec<Item> {
        let mut list = old.to_vec();
        apply(&mut list, ops).expect("the diff fits the list it was made from");
        list
    }

    #[test]
    fn equal_lists_need_no_ops() {
        let list = items(&[1, 2, 3]);
        assert!(diff(&list, &list).is_empty());
        assert!(diff::<Item>(&[], &[]).is_empty());
    }

    #[test]
    fn one_item_moved_from_front_to_back_is_one_move() {
        let old = items(&[1, 2, 3, 4]);
        let new = items(&[2, 3, 4, 1]);
        let ops = diff(&old, &new);
        assert_eq!(ops, vec![ListOp::Move { from: 0, to: 3 }]);
        assert_eq!(applied(&old, ops), new);
    }

    #[test]
    fn one_item_moved_from_back_to_front_is_one_move() {
        let old = items(&[1, 2, 3, 4]);
        let new = items(&[4, 1, 2, 3]);
        let ops = diff(&old, &new);
        assert_eq!(ops, vec![ListOp::Move { from: 3, to: 0 }]);
        assert_eq!(applied(&old, ops), new);
    }

    #[test]
    fn an_appended_item_is_one_insert_at_the_end() {
        let old = items(&[1, 2]);
        let new = items(&[1, 2, 3]);
        assert_eq!(
            diff(&old, &new),
            vec![ListOp::Insert {
                index: 2,
                item: item(3, "")
            }]
        );
    }

    #[test]
    fn removals_come_first_from_the_back() {
        let old = items(&[1, 2, 3, 4]);
        let new = items(&[2, 4]);
        assert_eq!(
            diff(&old, &new),
            vec![ListOp::Remove { index: 2 }, ListOp::Remove { index: 0 }]
        );
    }

    #[test]
    fn a_changed_item_is_updated_at_its_final_index() {
        let old = vec![item(1, "a"), item(2, "b"), item(3, "c")];
        let new = vec![item(3, "c"), item(1, "a"), item(2, "B")];
        let ops = diff(&old, &new);
        assert_eq!(
            ops,
            vec![
                ListOp::Move { from: 2, to: 0 },
                ListOp::Update {
                    index: 2,
                    patch: item(2, "B")
                }
            ]
        );
        assert_eq!(applied(&old, ops), new);
    }

    #[test]
    fn duplicate_keys_replace_the_whole_list() {
        let old = items(&[1, 1, 2]);
        let new = items(&[2, 1]);
        let ops = diff(&old, &new);
        assert_eq!(ops.len(), 5);
        assert_eq!(applied(&old, ops), new);
    }

    #[test]
    fn ops_for_another_list_are_refused() {
        let mut list = items(&[1]);
        assert_eq!(
            apply(&mut list, vec![ListOp::Remove { index: 1 }]),
            Err(OutOfRange)
        );
        assert_eq!(
            apply(&mut list, vec![ListOp::Move { from: 0, to: 1 }]),
            Err(OutOfRange)
        );
        assert_eq!(
            apply(
                &mut list,
                vec![ListOp::Insert {
                    index: 2,
                    item: item(9, "")
                }]
            ),
            Err(OutOfRange)
        );
        assert_eq!(
            apply(
                &mut list,
                vec![ListOp::Update {
                    index: 3,
                    patch: item(9, "")
                }]
            ),
            Err(OutOfRange)
        );
    }

    #[test]
    fn the_longest_increasing_run_is_found() {
        assert_eq!(longest_increasing_run(&[]), Vec::<usize>::new());
        assert_eq!(longest_increasing_run(&[3, 0, 1, 2]), vec![1, 2, 3]);
        assert_eq!(longest_increasing_run(&[0, 3, 1, 4, 2, 5]).len(), 4);
    }

    /// Applies `count` random edits (insert, remove, move, change) to `list`.
    fn random_edits(rng: &mut StdRng, list: &mut Vec<Item>, next_id: &mut u32, count: usize) {
        for _ in 0..count {
            match rng.random_range(0..4) {
                0 => {
                    let at = rng.random_range(0..=list.len());
                    *next_id += 1;
                    list.insert(at, item(*next_id, "new"));
                }
                1 if !list.is_empty() => {
                    let at = rng.random_range(0..list.len());
                    list.remove(at);
                }
                2 if !list.is_empty() => {
                    let from = rng.random_range(0..list.len());
                    let moved = list.remove(from);
                    let to = rng.random_range(0..=list.len());
                    list.insert(to, moved);
                }
                3 if !list.is_empty() => {
                    let at = rng.random_range(0..list.len());
                    list[at].text.push('*');
                }
                _ => {}
            }
        }
    }

    #[test]
    fn applying_the_diff_of_random_edits_gives_the_new_list() {
        let mut rng = StdRng::seed_from_u64(0x5eed);
        for round in 0..3_000 {
            let length = rng.random_range(0..40);
            let old: Vec<Item> = (0..length).map(|id| item(id, "")).collect();
            let mut new = old.clone();
            let mut next_id = length;
            let edits = rng.random_range(0..8);
            random_edits(&mut rng, &mut new, &mut next_id, edits);

            let ops = diff(&old, &new);
            let moves = ops
                .iter()
                .filter(|op| matches!(op, ListOp::Move { .. }))
                .count();
            assert!(
                moves <= edits,
                "round {round}: {moves} moves for {edits} edits"
            );
            assert_eq!(applied(&old, ops), new, "round {round}");
        }
    }

    #[test]
    fn applying_the_diff_of_unrelated_lists_gives_the_new_list() {
        let mut rng = StdRng::seed_from_u64(7);
        for round in 0..2_000 {
            let pick = |rng: &mut StdRng| -> Vec<Item> {
                let mut ids: Vec<u32> = (0..30).filter(|_| rng.random_bool(0.5)).collect();
                // Shuffle by random swaps.
                for i in (1..ids.len()).rev() {
                    let j = rng.random_range(0..=i);
                    ids.swap(i, j);
                }
                ids.into_iter()
                    .map(|id| item(id, if rng.random_bool(0.2) { "x" } else { "" }))
                    .collect()
            };
            let old = pick(&mut rng);
            let new = pick(&mut rng);
            assert_eq!(applied(&old, diff(&old, &new)), new, "round {round}");
        }
    }
}
