import { type EvaluationResult, usedClasses } from "../../api/evaluation";

function percent(value: number): string {
  return Number.isFinite(value) ? `${(value * 100).toFixed(1)} %` : "n/a";
}

export function EvaluationReport({ result }: { result: EvaluationResult }) {
  const { labels, matrix } = result.confusion;
  const shown = usedClasses(result.confusion);
  const largest = Math.max(1, ...matrix.flat());

  return (
    <section className="evaluation" data-testid="evaluation-report">
      <p className="muted">
        Dataset version {result.datasetVersion}, split {result.split}: {result.itemsWithPredictions}{" "}
        of {result.items} items have predictions.
      </p>
      <table className="metrics">
        <tbody>
          {result.metrics.map(([name, value]) => (
            <tr key={name}>
              <th scope="row">{name}</th>
              <td data-testid={`metric-${name}`}>{percent(value)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {result.perClass.length > 0 && (
        <>
          <h2>AP per class</h2>
          <table className="metrics">
            <tbody>
              {result.perClass.map(([name, value]) => (
                <tr key={name}>
                  <th scope="row">{name}</th>
                  <td>{percent(value)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <h2>Confusion matrix</h2>
      <p className="muted">Rows are the reference classes, columns the predicted ones.</p>
      <table className="confusion" data-testid="confusion-matrix">
        <thead>
          <tr>
            <th />
            {shown.map((column) => (
              <th key={column} scope="col">
                {labels[column]}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {shown.map((row) => (
            <tr key={row}>
              <th scope="row">{labels[row]}</th>
              {shown.map((column) => {
                const count = matrix[row]?.[column] ?? 0;
                const shade = count / largest;
                return (
                  <td
                    key={column}
                    style={{ background: `rgba(37, 99, 235, ${(0.08 + 0.6 * shade).toFixed(2)})` }}
                  >
                    {count}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
