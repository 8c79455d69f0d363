/**
 * The task events a shim publishes, with containerd's topics (runtime/v2/runc
 * GetTopic) and payload types (containerd.events.Task*), packed as containerd
 * packs them (bare type URLs).
 */
import type { DescMessage, MessageInitShape } from '@bufbuild/protobuf';
import type { Any } from '@bufbuild/protobuf/wkt';
import {
  TaskCreateSchema,
  TaskDeleteSchema,
  TaskExecAddedSchema,
  TaskExecStartedSchema,
  TaskExitSchema,
  TaskOOMSchema,
  TaskPausedSchema,
  TaskResumedSchema,
  TaskStartSchema,
} from '@berth/containerd/gen/containerd/events/task_pb';
import { packAny } from '@berth/containerd/typeurl';

export const topics = {
  create: '/tasks/create',
  start: '/tasks/start',
  exit: '/tasks/exit',
  delete: '/tasks/delete',
  execAdded: '/tasks/exec-added',
  execStarted: '/tasks/exec-started',
  paused: '/tasks/paused',
  resumed: '/tasks/resumed',
  oom: '/tasks/oom',
} as const;

export type Topic = (typeof topics)[keyof typeof topics];

export interface TaskEvent {
  topic: Topic;
  event: Any;
}

const ev = <D extends DescMessage>(topic: Topic, schema: D, init: MessageInitShape<D>): TaskEvent => ({ topic, event: packAny(schema, init) });

export const taskEvents = {
  create: (init: MessageInitShape<typeof TaskCreateSchema>) => ev(topics.create, TaskCreateSchema, init),
  start: (init: MessageInitShape<typeof TaskStartSchema>) => ev(topics.start, TaskStartSchema, init),
  exit: (init: MessageInitShape<typeof TaskExitSchema>) => ev(topics.exit, TaskExitSchema, init),
  delete: (init: MessageInitShape<typeof TaskDeleteSchema>) => ev(topics.delete, TaskDeleteSchema, init),
  execAdded: (init: MessageInitShape<typeof TaskExecAddedSchema>) => ev(topics.execAdded, TaskExecAddedSchema, init),
  execStarted: (init: MessageInitShape<typeof TaskExecStartedSchema>) => ev(topics.execStarted, TaskExecStartedSchema, init),
  paused: (init: MessageInitShape<typeof TaskPausedSchema>) => ev(topics.paused, TaskPausedSchema, init),
  resumed: (init: MessageInitShape<typeof TaskResumedSchema>) => ev(topics.resumed, TaskResumedSchema, init),
  oom: (init: MessageInitShape<typeof TaskOOMSchema>) => ev(topics.oom, TaskOOMSchema, init),
};
