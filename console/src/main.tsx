import React from 'react';
import { createRoot } from 'react-dom/client';
import { RouterProvider, createBrowserRouter } from 'react-router-dom';
import { App as AntApp, ConfigProvider } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { App } from './App';

dayjs.locale('zh-cn');

// A data router, so a screen can ask before the console navigates away (useBlocker); the
// screens themselves are the descendant <Routes> of App.
const router = createBrowserRouter([{ path: '*', element: <App /> }], {
  basename: '/console',
  future: { v7_relativeSplatPath: true },
});

createRoot(document.getElementById('root')!).render(
  <React.StrictMode>
    {/* Two-character button labels stay as written (登录, 派遣), not spaced out. */}
    <ConfigProvider locale={zhCN} button={{ autoInsertSpace: false }} theme={{ token: { colorPrimary: '#1677ff' } }}>
      <AntApp>
        <RouterProvider router={router} future={{ v7_startTransition: true }} />
      </AntApp>
    </ConfigProvider>
  </React.StrictMode>,
);
