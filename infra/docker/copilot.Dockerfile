# The copilot service (and the daily report task) as infra/ runs them on ECS Fargate.
# Built from the repository root: docker build -f infra/docker/copilot.Dockerfile .
# What /app holds is laid out by infra/docker/stage-copilot-image.mjs (its list: copilot-image.json), the same
# script infra's image test runs before starting the entry below against local stand-ins.
FROM public.ecr.aws/docker/library/node:22-bookworm-slim AS build
WORKDIR /src
COPY . .
# Every dependency to build the dashboard (Vite); then the image's tree with production dependencies only.
RUN npm ci --no-audit --no-fund \
 && npm run build -w dashboard \
 && node infra/docker/stage-copilot-image.mjs --out /app --node-modules install \
 && npm cache clean --force

FROM public.ecr.aws/docker/library/node:22-bookworm-slim
ENV NODE_ENV=production
# The dashboard's build ships in the image: served at / and synthesized into change sets as deployed.
ENV COPILOT_DASHBOARD_DIR=/app/dashboard/dist
WORKDIR /app
COPY --from=build --chown=node:node /app /app
USER node
EXPOSE 8080
# Keep in step with "entry" in copilot-image.json (the image test runs that).
CMD ["node", "--import", "tsx", "infra/src/copilot/service-main.ts"]
