import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './i18n';
import './styles.css';
import './gui.css';
import { App } from './App';
import { connect } from './client';
import { ErrorBoundary } from './components/ErrorBoundary';
import { ServiceContext } from './useService';

const { service, lost } = connect();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ErrorBoundary>
      <ServiceContext.Provider value={service}>
        <App lost={lost} />
      </ServiceContext.Provider>
    </ErrorBoundary>
  </StrictMode>,
);
