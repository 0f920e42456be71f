# syntax=docker/dockerfile:1
# The SageMaker inference container. SageMaker starts it as `docker run IMAGE serve`.
#   docker build --target container -t calculator-container .

ARG NODE_IMAGE=node:24-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY container ./container
RUN npx tsc -p tsconfig.build.json

FROM ${NODE_IMAGE} AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE} AS container
LABEL com.amazonaws.sagemaker.capabilities.accept-bind-to-port=true
ENV NODE_ENV=production
WORKDIR /opt/program
COPY --from=production-dependencies /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
EXPOSE 8080
ENTRYPOINT ["node", "dist/container/serve.js"]
CMD ["serve"]
