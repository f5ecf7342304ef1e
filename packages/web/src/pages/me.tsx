import { useEffect, useState } from 'react';
import { api } from '../api';

interface ProjectEarnings {
  project: string;
  currency: string;
  status: string;
  submitted: number;
  accepted: number;
  rejected: number;
  pending: number;
  base: number;
  bonus: number;
  earned: number;
  /** Pay in each currency it was settled in. */
  paid: Array<{ currency: string; base: number; bonus: number }>;
  activeHours: number;
  hourlyRate: number | null;
  accuracy: number | null;
}

/** Minor units (cents) as money. */
export function money(minor: number, currency: string) {
  return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(minor / 100);
}

/** The annotator's own page: earnings, effective hourly rate and accuracy per project. */
export function MyEarnings() {
  const [projects, setProjects] = useState<ProjectEarnings[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    api.get<{ projects: ProjectEarnings[] }>('/api/v1/me/earnings').then(
      (earnings) => setProjects(earnings.projects),
      (e: Error) => setError(e.message),
    );
  }, []);
  if (error) return <p role="alert">{error}</p>;
  if (!projects) return <p role="status">Loading…</p>;
  return (
    <section>
      <h1>My earnings</h1>
      {projects.length === 0 ? <p>No work submitted yet.</p> : null}
      <table>
        <thead>
          <tr>
            <th scope="col">Project</th>
            <th scope="col">Standing</th>
            <th scope="col">Submitted</th>
            <th scope="col">Accepted</th>
            <th scope="col">Rejected</th>
            <th scope="col">Pending</th>
            <th scope="col">Earned</th>
            <th scope="col">Active hours</th>
            <th scope="col">Effective hourly rate</th>
            <th scope="col">Accuracy</th>
          </tr>
        </thead>
        <tbody>
          {projects.map((row) => (
            <tr key={row.project}>
              <th scope="row">{row.project}</th>
              <td>{row.status}</td>
              <td>{row.submitted}</td>
              <td>{row.accepted}</td>
              <td>{row.rejected}</td>
              <td>{row.pending}</td>
              <td>
                {(row.paid.length > 0 ? row.paid : [{ ...row, base: row.earned, bonus: 0 }])
                  .map((pay) => money(pay.base + pay.bonus, pay.currency))
                  .join(' + ')}
              </td>
              <td>{row.activeHours.toFixed(2)}</td>
              <td>{row.hourlyRate === null ? '—' : `${money(row.hourlyRate, row.currency)}/h`}</td>
              <td>
                {row.accuracy === null ? 'not measured yet' : `${(row.accuracy * 100).toFixed(1)}%`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
