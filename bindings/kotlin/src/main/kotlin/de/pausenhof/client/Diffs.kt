package de.pausenhof.client

import de.pausenhof.ffi.ChannelListItem
import de.pausenhof.ffi.ChannelListOp
import de.pausenhof.ffi.FollowedThread
import de.pausenhof.ffi.FollowedThreadOp
import de.pausenhof.ffi.FollowedThreads
import de.pausenhof.ffi.FollowedThreadsDiff
import de.pausenhof.ffi.Post
import de.pausenhof.ffi.PostListOp
import de.pausenhof.ffi.SidebarSection
import de.pausenhof.ffi.SidebarSectionOp
import de.pausenhof.ffi.Thread
import de.pausenhof.ffi.ThreadDiff
import de.pausenhof.ffi.TimelineDiff
import de.pausenhof.ffi.TimelineItem
import de.pausenhof.ffi.TimelineItemOp
import de.pausenhof.ffi.TimelineItems
import de.pausenhof.ffi.TimelineItemsDiff
import de.pausenhof.ffi.TimelineWindow

/**
 * Applying the core's diffs. Operations are applied in order; every index
 * refers to the list as it is after the operations before it, which is
 * also the order RecyclerView's `notifyItemRemoved/Inserted/Moved/Changed`
 * expects. An adapter can therefore replay the same list of operations.
 */
@JvmName("applyingPostOps")
fun List<Post>.applying(operations: List<PostListOp>): List<Post> {
    val list = toMutableList()
    for (op in operations) {
        when (op) {
            is PostListOp.Remove -> list.removeAt(op.index.toInt())
            is PostListOp.Insert -> list.add(op.index.toInt(), op.post)
            is PostListOp.Move -> list.add(op.to.toInt(), list.removeAt(op.from.toInt()))
            is PostListOp.Update -> list[op.index.toInt()] = op.post
        }
    }
    return list
}

@JvmName("applyingChannelOps")
fun List<ChannelListItem>.applying(operations: List<ChannelListOp>): List<ChannelListItem> {
    val list = toMutableList()
    for (op in operations) {
        when (op) {
            is ChannelListOp.Remove -> list.removeAt(op.index.toInt())
            is ChannelListOp.Insert -> list.add(op.index.toInt(), op.channel)
            is ChannelListOp.Move -> list.add(op.to.toInt(), list.removeAt(op.from.toInt()))
            is ChannelListOp.Update -> list[op.index.toInt()] = op.channel
        }
    }
    return list
}

/** A sidebar diff: section operations, each kept section with its own channel operations. */
@JvmName("applyingSectionOps")
fun List<SidebarSection>.applying(operations: List<SidebarSectionOp>): List<SidebarSection> {
    val list = toMutableList()
    for (op in operations) {
        when (op) {
            is SidebarSectionOp.Remove -> list.removeAt(op.index.toInt())
            is SidebarSectionOp.Insert -> list.add(op.index.toInt(), op.section)
            is SidebarSectionOp.Move -> list.add(op.to.toInt(), list.removeAt(op.from.toInt()))
            is SidebarSectionOp.Update -> {
                val section = list[op.index.toInt()]
                list[op.index.toInt()] = section.copy(
                    name = op.name,
                    collapsed = op.collapsed,
                    channels = section.channels.applying(op.channels),
                )
            }
        }
    }
    return list
}

fun TimelineWindow.applying(diff: TimelineDiff): TimelineWindow = copy(
    posts = posts.applying(diff.posts),
    older = diff.older,
    newerMissing = diff.newerMissing,
    neverLoaded = diff.neverLoaded,
)

@JvmName("applyingTimelineItemOps")
fun List<TimelineItem>.applying(operations: List<TimelineItemOp>): List<TimelineItem> {
    val list = toMutableList()
    for (op in operations) {
        when (op) {
            is TimelineItemOp.Remove -> list.removeAt(op.index.toInt())
            is TimelineItemOp.Insert -> list.add(op.index.toInt(), op.item)
            is TimelineItemOp.Move -> list.add(op.to.toInt(), list.removeAt(op.from.toInt()))
            is TimelineItemOp.Update -> list[op.index.toInt()] = op.item
        }
    }
    return list
}

fun TimelineItems.applying(diff: TimelineItemsDiff): TimelineItems = copy(
    items = items.applying(diff.items),
    older = diff.older,
    newerMissing = diff.newerMissing,
    neverLoaded = diff.neverLoaded,
)

fun Thread.applying(diff: ThreadDiff): Thread = copy(
    root = if (diff.rootChanged) diff.root else root,
    replies = replies.applying(diff.replies),
    complete = diff.complete,
)

@JvmName("applyingFollowedThreadOps")
fun List<FollowedThread>.applying(operations: List<FollowedThreadOp>): List<FollowedThread> {
    val list = toMutableList()
    for (op in operations) {
        when (op) {
            is FollowedThreadOp.Remove -> list.removeAt(op.index.toInt())
            is FollowedThreadOp.Insert -> list.add(op.index.toInt(), op.thread)
            is FollowedThreadOp.Move -> list.add(op.to.toInt(), list.removeAt(op.from.toInt()))
            is FollowedThreadOp.Update -> list[op.index.toInt()] = op.thread
        }
    }
    return list
}

fun FollowedThreads.applying(diff: FollowedThreadsDiff): FollowedThreads = copy(
    threads = threads.applying(diff.threads),
    unreadThreads = diff.unreadThreads,
    unreadMentions = diff.unreadMentions,
)
