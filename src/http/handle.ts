/**
 * `handle(async (req, res) => …)`: a page or SSO handler whose failures reach the router's error
 * middleware (the page error handlers render them), and whose promise nobody else awaits.
 */
import type { NextFunction, Request, Response } from 'express';

export type Handler = (req: Request, res: Response) => Promise<void>;

export const handle = (fn: Handler) => (req: Request, res: Response, next: NextFunction): void => { fn(req, res).catch(next); };
