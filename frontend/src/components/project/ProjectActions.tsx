import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate } from "react-router";
import { errorMessage } from "../../api/problems";
import {
  nextQueueItem,
  queryKeys,
  startPrediction,
  startTraining,
  updateProject,
} from "../../api/queries";
import type { Project } from "../../api/types";

export function ProjectActions({ project }: { project: Project }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState<string | null>(null);
  // The box shows the requested value until the server confirms or rejects it.
  const [pendingOrder, setPendingOrder] = useState<boolean | null>(null);
  const refreshJobs = () => queryClient.invalidateQueries({ queryKey: queryKeys.jobs(project.id) });

  const label = useMutation({
    mutationFn: () => nextQueueItem(project.id),
    onSuccess: ({ item_id }) => {
      if (item_id === null) setNotice("Every item is labeled: the queue is empty.");
      else navigate(`/projects/${project.id}/items/${item_id}`);
    },
  });
  const train = useMutation({
    mutationFn: () => startTraining(project.id),
    onSuccess: refreshJobs,
  });
  const predict = useMutation({
    mutationFn: () => startPrediction(project.id),
    onSuccess: refreshJobs,
  });
  const ordering = useMutation({
    mutationFn: (order: boolean) => updateProject(project.id, { order_by_uncertainty: order }),
    onSuccess: (updated) => queryClient.setQueryData(queryKeys.project(project.id), updated),
    onSettled: () => setPendingOrder(null),
  });
  const error = label.error ?? train.error ?? predict.error ?? ordering.error;

  return (
    <div className="actions">
      <button
        type="button"
        className="primary"
        onClick={() => label.mutate()}
        disabled={label.isPending}
      >
        Label
      </button>
      <button type="button" onClick={() => train.mutate()} disabled={train.isPending}>
        Train
      </button>
      <button type="button" onClick={() => predict.mutate()} disabled={predict.isPending}>
        Predict
      </button>
      <button
        type="button"
        data-testid="open-evaluation"
        onClick={() => navigate(`/projects/${project.id}/evaluate`)}
      >
        Evaluate
      </button>
      <label>
        <input
          type="checkbox"
          checked={pendingOrder ?? project.order_by_uncertainty}
          disabled={ordering.isPending}
          onChange={(event) => {
            setPendingOrder(event.target.checked);
            ordering.mutate(event.target.checked);
          }}
        />{" "}
        Order by uncertainty
      </label>
      {notice && <span className="muted">{notice}</span>}
      {error && <span className="error">{errorMessage(error)}</span>}
    </div>
  );
}
