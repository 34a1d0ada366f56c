import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { Link, Route, Routes, useLocation, useNavigate } from "react-router";
import { logOut } from "./api/queries";
import { setLoginRedirect } from "./api/session";
import { EvaluationPage } from "./routes/EvaluationPage";
import { ItemPage } from "./routes/ItemPage";
import { LoginPage } from "./routes/LoginPage";
import { ProjectPage } from "./routes/ProjectPage";
import { ProjectsPage } from "./routes/ProjectsPage";

export function App() {
  const navigate = useNavigate();
  const location = useLocation();
  const queryClient = useQueryClient();

  useEffect(() => {
    setLoginRedirect(() => {
      if (window.location.pathname === "/login") return;
      const next = window.location.pathname + window.location.search;
      queryClient.clear();
      navigate(`/login?next=${encodeURIComponent(next)}`, { replace: true });
    });
  }, [navigate, queryClient]);

  const onLogOut = async () => {
    await logOut();
    queryClient.clear();
    navigate("/login");
  };

  return (
    <div className="app">
      {location.pathname !== "/login" && (
        <header className="topbar">
          <Link to="/" className="brand">
            labelloop
          </Link>
          <button type="button" className="link-button" onClick={onLogOut}>
            Log out
          </button>
        </header>
      )}
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route path="/" element={<ProjectsPage />} />
        <Route path="/projects/:projectId" element={<ProjectPage />} />
        <Route path="/projects/:projectId/items/:itemId" element={<ItemPage />} />
        <Route path="/projects/:projectId/evaluate" element={<EvaluationPage />} />
        <Route path="*" element={<p className="page">Page not found.</p>} />
      </Routes>
    </div>
  );
}
