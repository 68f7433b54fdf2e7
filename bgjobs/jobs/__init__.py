"""The job model and its rules, shared by web and worker: statuses, rows, types, context, status changes, change counters, storage and the user actions."""
